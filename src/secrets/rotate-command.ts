import type postgres from 'postgres';
import { loadConfig } from '../config/index.ts';
import { secretsKeyring } from './config.ts';
import { rotateSecrets } from './rotate.ts';
import { createSecretBox } from './secret-box.ts';

/**
 * `npm run cli -- secrets:rotate`: re-encrypts every stored secret with the first key of DVMM_SECRETS_KEYS. Prints
 * one JSON line of counts; exit 2 when some secret opened with none of the keys (named on stderr).
 */
export async function secretsRotateCommand(sql: postgres.Sql): Promise<number> {
  const box = createSecretBox(secretsKeyring(loadConfig()));
  const report = await rotateSecrets(sql, box);
  for (const { tenantId, message } of report.unreadable) console.error(`tenant ${tenantId}: ${message}`);
  console.log(JSON.stringify({ key: box.currentKeyId, rotated: report.rotated, current: report.current, changedMeanwhile: report.changedMeanwhile, unreadable: report.unreadable.length }));
  return report.unreadable.length > 0 ? 2 : 0;
}
