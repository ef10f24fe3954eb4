import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.ts';
import type { Role } from '../domain/principal.ts';
import { authConfig, mintToken } from './auth.ts';

const ROLES: readonly Role[] = ['user', 'admin'];

const USAGE = `usage: npm run token -- --sub <user id> --tenant <tenant id> [--role user|admin]... [--email e] [--name n]
                         [--expires 8h] [--header]
Prints an HS256 token signed with JWT_SECRET (or the development secret of DVMM_DATA_DIR, as \`npm start\` uses).
--header prints {"Authorization": "Bearer ..."} for GraphiQL's Headers tab instead of the bare token.`;

/** `npm run token`: mints a token the running server accepts. Needs no database. */
export async function tokenCommand(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        sub: { type: 'string' },
        tenant: { type: 'string' },
        role: { type: 'string', multiple: true },
        email: { type: 'string' },
        name: { type: 'string' },
        expires: { type: 'string' },
        header: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 1;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const roles = values.role ?? ['user'];
  const unknown = roles.filter((role) => !ROLES.includes(role as Role));
  if (!values.sub || !values.tenant || unknown.length > 0) {
    console.error(`${unknown.length > 0 ? `unknown role: ${unknown.join(', ')}\n` : ''}${USAGE}`);
    return 1;
  }
  const config = authConfig(loadConfig());
  if (!config.secret) {
    console.error('Only JWT_JWKS_URL is configured: get tokens from that identity provider (or set JWT_SECRET).');
    return 1;
  }
  let token: string;
  try {
    token = await mintToken(
      {
        sub: values.sub,
        tenant: values.tenant,
        roles: roles as Role[],
        ...(values.email ? { email: values.email } : {}),
        ...(values.name ? { name: values.name } : {}),
        ...(values.expires ? { expiresIn: values.expires } : {}),
      },
      { secret: config.secret, ...(config.issuer ? { issuer: config.issuer } : {}), ...(config.audience ? { audience: config.audience } : {}) },
    );
  } catch (error) {
    console.error(`${(error as Error).message} (--expires takes e.g. 30m, 8h, 7d)`);
    return 1;
  }
  console.log(values.header ? JSON.stringify({ Authorization: `Bearer ${token}` }) : token);
  return 0;
}
