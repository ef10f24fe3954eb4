import { describe, expect, it } from 'vitest';
import { eventMetadata, identifyCommand } from '../../src/commands/context.ts';
import { aggregateIdFor, commandIdFor, uuidV5 } from '../../src/commands/ids.ts';
import { alice } from '../support/personas.ts';

describe('command ids', () => {
  it('uuidV5 matches the RFC 4122 reference (DNS namespace, www.example.com)', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('an idempotency key maps to the same command id for the same tenant, user and command only', () => {
    const id = commandIdFor(alice, 'CreateVmRequest', 'k1');
    expect(commandIdFor(alice, 'CreateVmRequest', 'k1')).toBe(id);
    expect(commandIdFor({ ...alice, userId: 'bob' }, 'CreateVmRequest', 'k1')).not.toBe(id);
    expect(commandIdFor({ ...alice, tenantId: 'globex' }, 'CreateVmRequest', 'k1')).not.toBe(id);
    expect(commandIdFor(alice, 'CancelVmRequest', 'k1')).not.toBe(id);
    expect(commandIdFor(alice, 'CreateVmRequest', 'k2')).not.toBe(id);
    // Parts cannot run into each other.
    expect(commandIdFor({ ...alice, userId: 'alice"' }, 'x', 'y')).not.toBe(commandIdFor(alice, '"x', 'y'));
    expect(aggregateIdFor(id)).not.toBe(id);
  });

  it('without a key every command gets a fresh random id', () => {
    const a = identifyCommand(alice, 'CreateVmRequest', {});
    const b = identifyCommand(alice, 'CreateVmRequest', { idempotencyKey: '  ' });
    expect(a.ok && b.ok && a.value.commandId !== b.value.commandId).toBe(true);
    expect(a.ok && a.value.idempotent).toBe(false);
    expect(identifyCommand(alice, 'CreateVmRequest', { idempotencyKey: 'k' })).toEqual({
      ok: true,
      value: { commandId: commandIdFor(alice, 'CreateVmRequest', 'k'), idempotent: true },
    });
  });

  it('metadata names tenant, actor, correlation, causation, command and time', () => {
    const at = new Date('2030-01-01T00:00:00.000Z');
    expect(eventMetadata(alice, 'c-1', {}, at)).toEqual({
      tenantId: 'acme',
      userId: 'alice',
      correlationId: 'c-1',
      causationId: 'c-1',
      commandId: 'c-1',
      occurredAt: '2030-01-01T00:00:00.000Z',
    });
    expect(eventMetadata(alice, 'c-1', { correlationId: 'flow', causationId: 'approval' }, at)).toMatchObject({
      correlationId: 'flow',
      causationId: 'approval',
    });
  });
});
