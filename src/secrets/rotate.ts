import type postgres from 'postgres';
import { type SecretBox, SecretUnreadableError } from './secret-box.ts';
import { passwordContext } from './contexts.ts';

export interface RotationReport {
  /** Re-encrypted with the current key. */
  rotated: number;
  /** Already under the current key. */
  current: number;
  /** Changed by a writer while being rotated: that writer encrypted it with the current key already. */
  changedMeanwhile: number;
  /** Could not be opened with any configured key (the message says which key it needs), left as they are. */
  unreadable: { tenantId: string; message: string }[];
}

/**
 * Re-encrypts every stored secret that is not under the current key. Safe while the service runs: each row is
 * replaced only if it still holds the text that was read (compare and swap), so a connection saved meanwhile (with
 * the current key) is never overwritten with an older password, and readers see either text, both of which open.
 * Run it after putting the new key first in DVMM_SECRETS_KEYS on every instance; drop the old key after.
 */
export async function rotateSecrets(sql: postgres.Sql, box: SecretBox): Promise<RotationReport> {
  const report: RotationReport = { rotated: 0, current: 0, changedMeanwhile: 0, unreadable: [] };
  const rows = await sql<{ tenant_id: string; password_secret: string }[]>`
    select tenant_id, password_secret from vmware_connections order by tenant_id`;
  for (const row of rows) {
    if (box.keyIdOf(row.password_secret) === box.currentKeyId) {
      report.current++;
      continue;
    }
    const context = passwordContext(row.tenant_id);
    let plaintext: string;
    try {
      plaintext = box.decrypt(row.password_secret, context);
    } catch (error) {
      if (!(error instanceof SecretUnreadableError)) throw error;
      report.unreadable.push({ tenantId: row.tenant_id, message: error.message });
      continue;
    }
    const updated = await sql`
      update vmware_connections set password_secret = ${box.encrypt(plaintext, context)}
      where tenant_id = ${row.tenant_id} and password_secret = ${row.password_secret}`;
    if (updated.count === 1) report.rotated++;
    else report.changedMeanwhile++;
  }
  return report;
}
