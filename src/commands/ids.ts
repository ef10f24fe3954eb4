import { createHash, randomUUID } from 'node:crypto';
import type { Principal } from '../domain/index.ts';

// Fixed forever: changing either would make retried idempotency keys look new.
const COMMAND_NAMESPACE = '3f0c6d1e-8b2a-4f57-9c41-6a7e2d90b5c3';
const AGGREGATE_NAMESPACE = '9a4e2b71-0d3c-4e8f-b6a5-1c7f3e8d2a94';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID.test(value);

export const newId = (): string => randomUUID();

/** RFC 4122 version 5 (name-based, SHA-1): the same namespace and name always give the same UUID. */
export const uuidV5 = (namespace: string, name: string): string => {
  const hash = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest();
  const bytes = Uint8Array.from(hash.subarray(0, 16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/**
 * The command id of a caller's idempotency key. Scoped to tenant, user and command type, so the same key from
 * another user (or for another kind of command) is a different command. JSON keeps the parts unambiguous.
 */
export const commandIdFor = (principal: Principal, commandType: string, idempotencyKey: string): string =>
  uuidV5(COMMAND_NAMESPACE, JSON.stringify([principal.tenantId, principal.userId, commandType, idempotencyKey]));

/**
 * The id of an aggregate created by an idempotent command: retries address the same stream, so a retry finds
 * its first run's events there instead of creating a second aggregate.
 */
export const aggregateIdFor = (commandId: string): string => uuidV5(AGGREGATE_NAMESPACE, commandId);
