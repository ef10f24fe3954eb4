import { type DomainResult, ok, parseOptionalText, type Principal } from '../domain/index.ts';
import type { EventMetadata } from '../event-store/index.ts';
import { commandIdFor, newId } from './ids.ts';

/** What a caller may add to any command. */
export interface CommandContext {
  /** Ties together everything one user action caused; provisioning passes the approval's. Default: the command id. */
  correlationId?: string;
  /** What directly caused this command (an event or command id). Default: the command id itself. */
  causationId?: string;
  /** The same key from the same user for the same command returns the first result and writes nothing new. */
  idempotencyKey?: string | null;
}

export const IDEMPOTENCY_KEY_MAX = 200;

/** Optional: absent or blank means none. */
export const parseIdempotencyKey = (key: string | null | undefined): DomainResult<string | undefined> =>
  parseOptionalText(key, 'idempotencyKey', { label: 'Idempotency key', max: IDEMPOTENCY_KEY_MAX });

export interface CommandIdentity {
  commandId: string;
  /** True when the id comes from an idempotency key (retries must be recognised). */
  idempotent: boolean;
}

export const identifyCommand = (
  principal: Principal,
  commandType: string,
  context: CommandContext,
): DomainResult<CommandIdentity> => {
  const key = parseIdempotencyKey(context.idempotencyKey);
  if (!key.ok) return key;
  if (key.value === undefined) return ok({ commandId: newId(), idempotent: false });
  return ok({ commandId: commandIdFor(principal, commandType, key.value), idempotent: true });
};

export const eventMetadata = (
  principal: Principal,
  commandId: string,
  context: CommandContext,
  occurredAt: Date,
): EventMetadata => ({
  tenantId: principal.tenantId,
  userId: principal.userId,
  correlationId: context.correlationId ?? commandId,
  causationId: context.causationId ?? commandId,
  commandId,
  occurredAt: occurredAt.toISOString(),
});
