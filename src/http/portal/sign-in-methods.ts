import type { Config } from '../../config/index.ts';
import type { DevToken } from '../dev-tokens.ts';
import type { PortalAuth } from './auth-routes.ts';

/**
 * How the portal offers to sign in, from the configuration: single sign-on when OIDC_ISSUER is set, and outside
 * production the demo users too. Production never gets `demoUsers`, so /auth/dev-users does not exist there.
 */
export function portalSignInMethods(config: Pick<Config, 'production' | 'oidc'>, demoUsers: () => Promise<readonly DevToken[] | null>): PortalAuth {
  return {
    ...(config.production ? {} : { demoUsers }),
    ...(config.oidc ? { oidc: config.oidc } : {}),
  };
}
