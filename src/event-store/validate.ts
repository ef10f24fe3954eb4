import { EventStoreInputError } from './errors.ts';
import type { AppendOptions, ExpectedVersion, NewEvent } from './types.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVENT_TYPE = /^[A-Za-z][A-Za-z0-9_.-]{0,199}$/;
export const DEFAULT_MAX_EVENT_BYTES = 64 * 1024;

export interface ValidatedAppend {
  /** The events as one JSON array, handed to Postgres in a single parameter. */
  eventsJson: string;
  metadataJson: string;
}

function fail(field: string, message: string): never {
  throw new EventStoreInputError(field, message);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

function toJson(field: string, value: unknown): string {
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    fail(field, `is not serialisable as JSON (${(error as Error).message})`);
  }
  // jsonb cannot hold NUL characters; refuse here rather than fail inside Postgres.
  if (json.includes('\\u0000')) fail(field, 'contains a NUL character');
  return json;
}

export function validateExpected(expected: ExpectedVersion): void {
  if (expected === 'any' || expected === 'no_stream') return;
  if (typeof expected !== 'number' || !Number.isSafeInteger(expected) || expected < 0) {
    fail('expected', `must be a non-negative integer version, 'no_stream' or 'any', got ${JSON.stringify(expected)}`);
  }
}

/** Checks everything an append needs before any SQL runs, so bad input never writes. */
export function validateAppend(
  streamId: string,
  expected: ExpectedVersion,
  events: readonly NewEvent[],
  options: AppendOptions,
  maxEventBytes: number,
): ValidatedAppend {
  if (typeof streamId !== 'string' || streamId.length === 0 || streamId.length > 200) {
    fail('streamId', 'must be a non-empty string of at most 200 characters');
  }
  validateExpected(expected);
  if (!Array.isArray(events) || events.length === 0) fail('events', 'must be a non-empty list');
  if (events.length > 1000) fail('events', 'at most 1000 events per append');
  if (typeof options?.streamType !== 'string' || !EVENT_TYPE.test(options.streamType)) {
    fail('streamType', 'must be an identifier-like string');
  }
  if (typeof options.tenantId !== 'string' || options.tenantId.length === 0 || options.tenantId.length > 200) {
    fail('tenantId', 'must be a non-empty string of at most 200 characters');
  }
  if (options.commandId !== undefined && (typeof options.commandId !== 'string' || !UUID.test(options.commandId))) {
    fail('commandId', 'must be a UUID');
  }
  const { condition } = options;
  if (condition !== undefined) {
    if (!isPlainObject(condition)) fail('condition', 'must be an object');
    if (typeof condition.streamId !== 'string' || condition.streamId.length === 0 || condition.streamId.length > 200) {
      fail('condition.streamId', 'must be a non-empty string of at most 200 characters');
    }
    if (!Number.isSafeInteger(condition.version) || condition.version < 0) fail('condition.version', 'must be a whole number of at least 0');
    if (condition.sharedLock !== undefined && (typeof condition.sharedLock !== 'string' || condition.sharedLock.length === 0)) {
      fail('condition.sharedLock', 'must be a non-empty string');
    }
  }
  if (!isPlainObject(options.metadata)) fail('metadata', 'must be an object');
  if (options.metadata.tenantId !== options.tenantId) fail('metadata.tenantId', 'must equal the append tenant');

  const prepared = events.map((event, i) => {
    if (!isPlainObject(event)) fail(`events[${i}]`, 'must be an object');
    if (typeof event.type !== 'string' || !EVENT_TYPE.test(event.type)) {
      fail(`events[${i}].type`, 'must be an identifier-like string of at most 200 characters');
    }
    const schemaVersion: unknown = event.schemaVersion ?? 1;
    if (typeof schemaVersion !== 'number' || !Number.isSafeInteger(schemaVersion) || schemaVersion < 1) fail(`events[${i}].schemaVersion`, 'must be a positive integer');
    if (!isPlainObject(event.data)) fail(`events[${i}].data`, 'must be a JSON object');
    const data = toJson(`events[${i}].data`, event.data);
    const bytes = Buffer.byteLength(data);
    if (bytes > maxEventBytes) fail(`events[${i}].data`, `is ${bytes} bytes; the limit is ${maxEventBytes}`);
    return `{"type":${JSON.stringify(event.type)},"schemaVersion":${schemaVersion},"data":${data}}`;
  });
  const metadata = options.commandId ? { ...options.metadata, commandId: options.commandId } : options.metadata;
  const metadataJson = toJson('metadata', metadata);
  if (Buffer.byteLength(metadataJson) > 16 * 1024) fail('metadata', 'is larger than 16 KiB');
  return { eventsJson: `[${prepared.join(',')}]`, metadataJson };
}
