import type { JWTPayload } from 'jose';
import { isIdentityText, PROFILE_TEXT_MAX, TENANT_ID_MAX, USER_ID_MAX } from '../../domain/identity.ts';
import type { Principal, Role } from '../../domain/principal.ts';

const ROLES: readonly Role[] = ['user', 'admin'];

export type ClaimsResult = { ok: true; principal: Principal } | { ok: false; message: string };

/**
 * The principal a verified token describes, or why its claims are refused. `sub` and `tenant_id` are required;
 * they, `email` and `name` end up in events, logs and SQL parameters, so each must pass the domain's text rule for
 * one line (src/domain/identity.ts): a control character or a lone surrogate refuses the token even though the
 * issuer is trusted, since every command of its bearer would fail in the event store. An over-long `email` or
 * `name` is left out (they are only shown); anything else wrong with them refuses the token too.
 * Roles come from `roles` and from Keycloak's `realm_access.roles`; unknown roles (e.g. `offline_access`) are dropped.
 */
export function principalFromClaims(payload: JWTPayload): ClaimsResult {
  const userId = payload.sub;
  const tenantId = payload['tenant_id'];
  if (typeof userId !== 'string' || typeof tenantId !== 'string' || userId.trim() === '' || tenantId.trim() === '') {
    return { ok: false, message: 'The token must carry sub and tenant_id' };
  }
  if (!isIdentityText(userId, USER_ID_MAX)) return refused('sub');
  if (!isIdentityText(tenantId, TENANT_ID_MAX)) return refused('tenant_id');
  const profile: { email?: string; name?: string } = {};
  for (const claim of ['email', 'name'] as const) {
    const value = payload[claim];
    if (typeof value !== 'string' || value === '' || [...value].length > PROFILE_TEXT_MAX) continue;
    if (!isIdentityText(value, PROFILE_TEXT_MAX)) return refused(claim);
    profile[claim] = value;
  }
  return { ok: true, principal: { tenantId, userId, roles: rolesOf(payload), ...profile } };
}

const refused = (claim: string): ClaimsResult => ({
  ok: false,
  message: `The token's ${claim} claim is not accepted: it must be one line of valid Unicode text without control characters, of bounded length`,
});

function rolesOf(payload: JWTPayload): Role[] {
  const realmAccess = payload['realm_access'];
  const keycloak = isRecord(realmAccess) ? realmAccess['roles'] : undefined;
  const claimed = [...asArray(payload['roles']), ...asArray(keycloak)];
  return ROLES.filter((role) => claimed.includes(role));
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
