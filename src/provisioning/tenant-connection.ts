import type postgres from 'postgres';
import { readVmwareConnection, type StoredVmwareConnection } from '../commands/vmware-connection-store.ts';
import { passwordContext, type SecretBox } from '../secrets/index.ts';
import type { VsphereConnectionSettings } from './vsphere/settings.ts';

/** A tenant's connection with its password decrypted, as the adapter takes it, and the version it is at. */
export interface TenantConnection {
  version: number;
  settings: VsphereConnectionSettings;
}

/** The adapter's settings from the stored ones and a password (the stored one opened, or one given for a test). */
export const toVsphereSettings = (stored: Pick<StoredVmwareConnection, 'settings'>, password: string): VsphereConnectionSettings => ({
  ...stored.settings,
  password,
});

/**
 * The tenant's connection, decrypted, or null when it has none. A password that does not open (its key is no longer
 * configured, or the row was altered) throws SecretUnreadableError naming the key: a configuration problem of this
 * server, which the caller reports without stopping.
 */
export async function loadTenantConnection(sql: postgres.Sql, secrets: SecretBox, tenantId: string): Promise<TenantConnection | null> {
  const stored = await readVmwareConnection(sql, tenantId);
  if (!stored) return null;
  const password = secrets.decrypt(stored.passwordSecret, passwordContext(tenantId));
  return { version: stored.version, settings: toVsphereSettings(stored, password) };
}
