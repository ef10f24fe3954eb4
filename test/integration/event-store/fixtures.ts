import { randomUUID } from 'node:crypto';
import type { AppendOptions, EventMetadata, NewEvent } from '../../../src/event-store/index.ts';

export function metadata(tenantId = 'acme', overrides: Partial<EventMetadata> = {}): EventMetadata {
  return {
    tenantId,
    userId: 'alice',
    correlationId: randomUUID(),
    causationId: null,
    commandId: randomUUID(),
    occurredAt: new Date().toISOString(),
    ...overrides,
  };
}

export function options(tenantId = 'acme', extra: Partial<AppendOptions> = {}): AppendOptions {
  return { streamType: 'Test', tenantId, metadata: metadata(tenantId), ...extra };
}

export function event(n: number, type = 'Happened'): NewEvent {
  return { type, data: { n } };
}
