import type { Principal, Role } from '../../src/domain/principal.ts';

/** The people the tests act as. One list, so a test's "bob" is the same admin in every layer. */

export const TENANT = 'acme';
export const OTHER_TENANT = 'globex';

/** Someone in `tenantId` with `roles` (a user when none), carrying the email and name a token would. */
export const person = (tenantId: string, userId: string, ...roles: Role[]): Principal => ({
  tenantId,
  userId,
  roles: roles.length === 0 ? ['user'] : roles,
  email: `${userId}@${tenantId}.test`,
  name: userId.charAt(0).toUpperCase() + userId.slice(1),
});

/** A member who requests VMs. */
export const alice = person(TENANT, 'alice');
/** The admin who decides. */
export const bob = person(TENANT, 'bob', 'admin');
/** A second admin, so a decision need not be bob's (and a user as well). */
export const carol = person(TENANT, 'carol', 'user', 'admin');
/** A member whose token carries neither email nor name. */
export const dave: Principal = { tenantId: TENANT, userId: 'dave', roles: ['user'] };
/** An admin of another tenant. */
export const eve = person(OTHER_TENANT, 'eve', 'admin');

/** Who a test token is for: `{ sub: 'alice', tenant: 'acme', roles: ['user'] }` or a Principal. */
export type PrincipalLike =
  | { sub: string; tenant: string; roles?: readonly Role[]; email?: string; name?: string }
  | Principal;

/** The token claims (src/http/auth/mint.ts) that authenticate as `who`. */
export function tokenClaims(who: PrincipalLike): { sub: string; tenant: string; roles: readonly Role[]; email?: string; name?: string } {
  const { sub, tenant, roles, email, name } =
    'userId' in who ? { sub: who.userId, tenant: who.tenantId, roles: who.roles, email: who.email, name: who.name } : who;
  return {
    sub,
    tenant,
    roles: roles ?? ['user'],
    ...(email ? { email } : {}),
    ...(name ? { name } : {}),
  };
}
