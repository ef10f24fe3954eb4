import { sign, verify, type KeyObject } from 'node:crypto';
import type { SealKey } from './seal-key.ts';

/** What a seal says: the chain's head when it was signed. */
export interface SealFacts {
  /** 1, 2, 3, ...: the seal's number. */
  seal: bigint;
  /** Events in the chain up to and including the head (the head's seq). */
  count: bigint;
  /** The head event's position and transaction id. */
  position: bigint;
  transactionId: bigint;
  /** The chain hash after the head event, hex. */
  chainHash: string;
  sealedAt: string;
  keyId: string;
}

/** A seal as stored and as exported: the exact signed text and its Ed25519 signature (base64). */
export interface SignedSeal {
  statement: string;
  signature: string;
}

const TYPE = 'dvmm-audit-seal/1';

/**
 * The statement is JSON with a fixed key order and 64-bit numbers as strings, signed as its UTF-8 bytes: what is
 * verified is the stored text itself, never a re-encoding, so `openssl pkeyutl -verify -rawin` checks it too.
 */
export function signSeal(facts: Omit<SealFacts, 'keyId'>, key: SealKey): SignedSeal {
  const statement = JSON.stringify({
    type: TYPE,
    seal: facts.seal.toString(),
    count: facts.count.toString(),
    position: facts.position.toString(),
    transactionId: facts.transactionId.toString(),
    chainHash: facts.chainHash,
    sealedAt: facts.sealedAt,
    keyId: key.keyId,
  });
  return { statement, signature: sign(null, Buffer.from(statement, 'utf8'), key.privateKey).toString('base64') };
}

export function signatureValid(seal: SignedSeal, publicKey: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(seal.statement, 'utf8'), publicKey, Buffer.from(seal.signature, 'base64'));
  } catch {
    return false;
  }
}

/** The facts of a statement; throws when it is not a seal statement this code writes. */
export function parseSeal(seal: SignedSeal): SealFacts {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(seal.statement) as Record<string, unknown>;
  } catch {
    throw new Error('the seal statement is not JSON');
  }
  if (value === null || typeof value !== 'object' || value.type !== TYPE) throw new Error(`the statement is not a ${TYPE}`);
  const whole = (name: string): bigint => {
    const raw = value[name];
    if (typeof raw !== 'string' || !/^\d{1,19}$/.test(raw)) throw new Error(`the seal's ${name} is not a whole number`);
    return BigInt(raw);
  };
  const text = (name: string, pattern: RegExp): string => {
    const raw = value[name];
    if (typeof raw !== 'string' || !pattern.test(raw)) throw new Error(`the seal's ${name} is malformed`);
    return raw;
  };
  return {
    seal: whole('seal'),
    count: whole('count'),
    position: whole('position'),
    transactionId: whole('transactionId'),
    chainHash: text('chainHash', /^[0-9a-f]{64}$/),
    sealedAt: text('sealedAt', /^\d{4}-\d\d-\d\dT[\d:.]+Z$/),
    keyId: text('keyId', /^[0-9a-f]{16}$/),
  };
}

/** A seal as JSON from a user (`cli seals` prints this shape); throws with a readable reason. */
export function sealFromJson(text: string): SignedSeal {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('not JSON');
  }
  const { statement, signature } = (value ?? {}) as Record<string, unknown>;
  if (typeof statement !== 'string' || typeof signature !== 'string') {
    throw new Error('expected {"statement": "...", "signature": "..."}');
  }
  return { statement, signature };
}
