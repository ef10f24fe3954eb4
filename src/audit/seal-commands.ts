import { readFileSync } from 'node:fs';
import type postgres from 'postgres';
import { loadConfig } from '../config/index.ts';
import { parsePublicKey, publicKeyPem, sealKey, type SealKeySettings } from './seal-key.ts';
import { parseSeal, sealFromJson, signatureValid, type SignedSeal } from './seal-statement.ts';
import { recentSeals } from './seals.ts';

/** Seals from a file: one JSON object, or one per line (what `cli seals` prints). */
export function sealsFromText(text: string): SignedSeal[] {
  const lines = text.split('\n').map((line) => line.trim()).filter(Boolean);
  if (lines.length === 0) throw new Error('no seal in it');
  try {
    return lines.map(sealFromJson);
  } catch {
    return [sealFromJson(text)]; // one pretty-printed object
  }
}

/**
 * `cli seal-key`: the public key seals verify with (PEM) and its id; needs no database. The seal key is the one
 * `config` names (the CLI's: this process's configuration).
 */
export async function sealKeyCommand(
  _args: string[],
  out: (line: string) => void = console.log,
  config: SealKeySettings = loadConfig(),
): Promise<number> {
  const { key, missing } = sealKey(config);
  if (!key) {
    out(`no seal key: ${missing}`);
    return 1;
  }
  out(`# seal key ${key.keyId} (from ${key.source}); save as seal-key.pub.pem to verify seals offline`);
  out(publicKeyPem(key).trimEnd());
  return 0;
}

/** `cli seals [count]`: the newest seals as JSON lines, to keep outside the database (`verify --seal <file>`). */
export async function sealsCommand(sql: postgres.Sql, args: string[], out: (line: string) => void = console.log): Promise<number> {
  const count = args[0] === undefined ? 1 : Number(args[0]);
  if (!Number.isInteger(count) || count < 1 || count > 100_000) {
    out('usage: seals [count]  (1 to 100000, default 1)');
    return 1;
  }
  for (const seal of await recentSeals(sql, count)) out(JSON.stringify({ statement: seal.statement, signature: seal.signature }));
  return 0;
}

/**
 * `cli seal-check <seal file> [--public-key <pem file>]`: checks seals' signatures offline (no database), with the
 * given public key or the seal key `config` names, and prints what each says.
 */
export async function sealCheckCommand(
  args: string[],
  out: (line: string) => void = console.log,
  config: SealKeySettings = loadConfig(),
): Promise<number> {
  const [file, flag, keyFile] = args;
  if (!file || (flag !== undefined && (flag !== '--public-key' || !keyFile))) {
    out('usage: seal-check <seal file> [--public-key <pem file>]');
    return 1;
  }
  let seals: SignedSeal[];
  let publicKey;
  try {
    seals = sealsFromText(readFileSync(file, 'utf8'));
    publicKey = keyFile ? parsePublicKey(readFileSync(keyFile, 'utf8'), keyFile) : sealKey(config).key?.publicKey;
  } catch (error) {
    out(`seal-check: ${(error as Error).message}`);
    return 1;
  }
  if (!publicKey) {
    out('seal-check: no public key: pass --public-key <pem file>');
    return 1;
  }
  let bad = 0;
  for (const seal of seals) {
    let verdict: string;
    try {
      const facts = parseSeal(seal);
      const valid = signatureValid(seal, publicKey);
      if (!valid) bad++;
      verdict = `seal #${facts.seal}: ${valid ? 'signature valid' : 'signature INVALID'}: ${facts.count} events up to position ${facts.position}, chain hash ${facts.chainHash}, sealed ${facts.sealedAt}, key ${facts.keyId}`;
    } catch (error) {
      bad++;
      verdict = `not a seal: ${(error as Error).message}`;
    }
    out(verdict);
  }
  return bad === 0 ? 0 : 2;
}
