export type Role = 'user' | 'admin';

/** The acting user, as the caller's token describes them. */
export interface Principal {
  tenantId: string;
  userId: string;
  roles: readonly Role[];
  email?: string;
  name?: string;
}

export const isAdmin = (principal: Pick<Principal, 'roles'>): boolean => principal.roles.includes('admin');

/**
 * The provisioning process acts without a token of its own; it carries the approving admin's
 * correlation id instead. Its commands are never exposed through the API.
 */
export const systemPrincipal = (tenantId: string, userId = 'system:provisioning'): Principal => ({
  tenantId,
  userId,
  roles: [],
});
