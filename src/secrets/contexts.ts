/**
 * The associated data each kind of secret is bound to: a tenant's vCenter password opens only as that tenant's, so
 * a ciphertext copied into another tenant's row is refused instead of connecting with someone else's credentials.
 */
export const passwordContext = (tenantId: string): string => `vmware-connection-password:${tenantId}`;
