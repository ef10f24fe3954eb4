import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { publicKeyPem } from '../../../src/audit/seal-key.ts';
import { sealCheckCommand, sealKeyCommand, sealsCommand } from '../../../src/audit/seal-commands.ts';
import { startSealer } from '../../../src/audit/sealer.ts';
import { verifyCommand } from '../../../src/audit/verify-command.ts';
import { parseConfig } from '../../../src/config/index.ts';
import { dbTest } from '../../support/db-test.ts';
import { event, options } from '../event-store/fixtures.ts';
import { asAttacker, lines, newSealKey } from './fixtures.ts';

const { key, base64 } = newSealKey();
// This installation's configuration, as the CLI would parse it: the seal key the sealer below signs with.
const config = parseConfig({ DVMM_SEAL_KEY: base64 });
const dir = mkdtempSync(join(tmpdir(), 'dvmm-seals-'));

dbTest.beforeAll(async ({ sql, store }) => {
  const sealer = await startSealer({ sql, key, chainIntervalMs: 3_600_000, log: () => {} });
  for (let i = 0; i < 3; i++) {
    await store.append(randomUUID(), 'no_stream', [event(1), event(2)], options());
    await sealer.sealNow();
  }
  await sealer.stop();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = async (command: (out: (line: string) => void) => Promise<number>) => {
  const output = lines();
  return { code: await command(output.out), text: output.text(), all: output.all };
};

describe('seals outside the database', () => {
  dbTest('seal-key prints the public key; seals exported by `seals` verify offline with it, and not with another', async ({ sql }) => {
    const printed = await run((out) => sealKeyCommand([], out, config));
    expect(printed.code).toBe(0);
    expect(printed.text).toContain(`seal key ${key.keyId}`);
    expect(printed.text).toContain(publicKeyPem(key).trim());
    const exported = await run((out) => sealsCommand(sql, ['3'], out));
    expect(exported.all).toHaveLength(3);
    writeFileSync(join(dir, 'seals.jsonl'), `${exported.text}\n`);
    writeFileSync(join(dir, 'right.pem'), publicKeyPem(key));
    writeFileSync(join(dir, 'wrong.pem'), publicKeyPem(newSealKey().key));

    const good = await run((out) => sealCheckCommand([join(dir, 'seals.jsonl'), '--public-key', join(dir, 'right.pem')], out));
    expect(good.code).toBe(0);
    expect(good.all.map((line) => line.slice(0, 32))).toEqual(['seal #1: signature valid: 2 even', 'seal #2: signature valid: 4 even', 'seal #3: signature valid: 6 even']);
    const bad = await run((out) => sealCheckCommand([join(dir, 'seals.jsonl'), '--public-key', join(dir, 'wrong.pem')], out));
    expect(bad.code).toBe(2);
    expect(bad.text).toContain('signature INVALID');
    // Without --public-key: the installation's own seal key.
    const own = await run((out) => sealCheckCommand([join(dir, 'seals.jsonl')], out, config));
    expect(own.code).toBe(0);
    expect(own.all.every((line) => line.includes('signature valid'))).toBe(true);
    const other = await run((out) => sealCheckCommand([join(dir, 'seals.jsonl')], out, parseConfig({ DVMM_SEAL_KEY: newSealKey().base64 })));
    expect(other.code).toBe(2);

    // A seal whose statement was edited no longer verifies.
    const [first] = exported.all;
    const edited = JSON.parse(first!) as { statement: string; signature: string };
    edited.statement = edited.statement.replace('"count":"2"', '"count":"1"');
    writeFileSync(join(dir, 'edited.json'), JSON.stringify(edited));
    expect((await run((out) => sealCheckCommand([join(dir, 'edited.json'), '--public-key', join(dir, 'right.pem')], out))).code).toBe(2);
  });

  dbTest('openssl verifies an exported seal with the printed public key (as the README shows)', async ({ sql, skip }) => {
    try {
      execFileSync('openssl', ['version']);
    } catch {
      skip('openssl is not installed');
    }
    const [line] = (await run((out) => sealsCommand(sql, [], out))).all;
    const seal = JSON.parse(line!) as { statement: string; signature: string };
    writeFileSync(join(dir, 'statement.txt'), seal.statement);
    writeFileSync(join(dir, 'signature.bin'), Buffer.from(seal.signature, 'base64'));
    writeFileSync(join(dir, 'key.pem'), publicKeyPem(key));
    const output = execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', join(dir, 'key.pem'), '-rawin', '-in', join(dir, 'statement.txt'), '-sigfile', join(dir, 'signature.bin')]).toString();
    expect(output).toContain('Signature Verified Successfully');
  });

  dbTest('verify --seal: a seal kept outside that the database no longer has is reported (seals rolled back)', async ({ sql }) => {
    const kept = (await run((out) => sealsCommand(sql, ['1'], out))).text;
    writeFileSync(join(dir, 'kept.json'), kept);
    expect((await run((out) => verifyCommand(sql, ['--seal', join(dir, 'kept.json')], out, config))).code).toBe(0);
    await asAttacker(sql, ['delete from audit_seals where seal_no = 3']);
    expect((await run((out) => verifyCommand(sql, [], out, config))).code).toBe(0); // the database alone cannot tell
    const rolledBack = await run((out) => verifyCommand(sql, ['--seal', join(dir, 'kept.json')], out, config));
    expect(rolledBack.code).toBe(2);
    expect(rolledBack.text).toContain('seal #3 kept outside the database is missing from it');
  });
});
