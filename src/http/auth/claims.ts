import type { JWTPayload } from 'jose';
import type { Principal, Role } from '../../domain/principal.ts';

const ROLES: readonly Role[] = ['user', 'admin'];
// Ids end up in events, logs and SQL parameters: bound their size even though the issuer is trusted.
const MAX_ID_LENGTH = 255;

/**
 * The principal a verified token describes, or null when it lacks a subject or a tenant.
 * Roles come from `roles` and from Keycloak's `realm_access.roles`; unknown roles (e.g. `offline_access`) are dropped.
 */
export function principalFromClaims(payload: JWTPayload): Principal | null {
  const userId = idClaim(payload.sub);
  const tenantId = idClaim(payload['tenant_id']);
  if (!userId || !tenantId) return null;
  const email = textClaim(payload['email']);
  const name = textClaim(payload['name']);
  return {
    tenantId,
    userId,
    roles: rolesOf(payload),
    ...(email ? { email } : {}),
    ...(name ? { name } : {}),
  };
}

function rolesOf(payload: JWTPayload): Role[] {
  const realmAccess = payload['realm_access'];
  const keycloak = isRecord(realmAccess) ? realmAccess['roles'] : undefined;
  const claimed = [...asArray(payload['roles']), ...asArray(keycloak)];
  return ROLES.filter((role) => claimed.includes(role));
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function idClaim(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' && value.length <= MAX_ID_LENGTH ? value : null;
}

function textClaim(value: unknown): string | null {
  return typeof value === 'string' && value !== '' && value.length <= 1024 ? value : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
