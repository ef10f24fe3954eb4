import {
  concurrencyConflict,
  type DomainResult,
  fail,
  forbidden,
  isAdmin,
  notFound,
  type Principal,
  type VmwareConnection,
  type VmwareConnectionCommand,
  vmwareConnectionDecider,
  type VmwareConnectionEvent,
  type VmwareConnectionState,
  isVmwareConnectionEvent,
  type VmwareSettingsInput,
  parseVmwareSettings,
} from '../domain/index.ts';
import { passwordContext, type SecretBox } from '../secrets/index.ts';
import type { Aggregate } from './aggregates.ts';
import { type CommandContext, identifyCommand } from './context.ts';
import { handle, type HandleDeps } from './handle.ts';
import { uuidV5 } from './ids.ts';
import type { CommandResult } from './result.ts';
import { checkExpectedVersion } from './vm-request-commands.ts';
import { deleteVmwareConnection, readVmwareConnection, writeVmwareConnection } from './vmware-connection-store.ts';

export const VMWARE_CONNECTION_STREAM = 'VmwareConnection';

// Fixed forever: a tenant's connection stream id is derived from it.
const VMWARE_CONNECTION_NAMESPACE = 'c2b7f4e0-5d1a-4a8e-9f36-7b0d2e4c8a15';

/** The tenant's one connection stream (stream ids are UUIDs; the tenant id is the name it is derived from). */
export const vmwareConnectionStreamId = (tenantId: string): string => uuidV5(VMWARE_CONNECTION_NAMESPACE, tenantId);

export const vmwareConnectionAggregate: Aggregate<VmwareConnectionCommand, VmwareConnectionEvent, VmwareConnectionState, VmwareConnection> = {
  streamType: VMWARE_CONNECTION_STREAM,
  decider: vmwareConnectionDecider,
  isEvent: isVmwareConnectionEvent,
  exists: (state): state is VmwareConnection => state.status !== 'NONE',
  notFoundMessage: 'No vCenter connection is configured',
};

export type VmwareConnectionResult = DomainResult<CommandResult<VmwareConnection, VmwareConnectionEvent>>;

export interface SetVmwareConnectionInput extends VmwareSettingsInput {
  /** The connection's version the admin looked at; 0 when none is set. */
  expectedVersion: number;
  /** Absent or null: keep the stored password (required the first time). */
  password?: string | null;
}
export interface RemoveVmwareConnectionInput {
  expectedVersion: number;
}

export interface VmwareConnectionCommandOptions {
  /** Encrypts the password; without it, setVmwareConnection cannot store one (a deployment error, thrown). */
  secrets?: SecretBox;
  /** Refuses tls.insecure (NODE_ENV=production). */
  production?: boolean;
}

/**
 * setVmwareConnection and removeVmwareConnection: the tenant's stream gets an event naming what changed (never a
 * setting's value or a secret), and the vmware_connections table the settings and the encrypted password, in the
 * same transaction (architecture.md, decision 12).
 */
export const vmwareConnectionCommands = (deps: HandleDeps, options: VmwareConnectionCommandOptions) => ({
  setVmwareConnection: async (
    principal: Principal,
    input: SetVmwareConnectionInput,
    context: CommandContext = {},
  ): Promise<VmwareConnectionResult> => {
    const invalid = checkExpectedVersion(input.expectedVersion);
    if (invalid) return fail(invalid);
    // Before anything is read or decrypted for them.
    if (!isAdmin(principal)) return fail(forbidden("Only tenant admins manage the tenant's vCenter connection"));
    const { tenantId } = principal;
    const stored = await readVmwareConnection(deps.store.sql, tenantId);
    // The table is written with the stream, so its version is the stream's: a mismatch is the caller's stale view.
    // Without a connection the caller sees none and sends 0, whatever removals the stream holds: the decision is
    // then made at the stream's version, so two admins setting one at once still cannot both succeed.
    const visibleVersion = stored?.version ?? 0;
    if (visibleVersion !== input.expectedVersion) return fail(concurrencyConflict(input.expectedVersion, visibleVersion));
    const decidedVersion = stored?.version ?? (await streamVersion(deps, tenantId));
    const password = input.password ?? null;
    const context_ = passwordContext(tenantId);
    const box = options.secrets;
    if (password !== null && !box) throw new Error('No secrets key is configured (DVMM_SECRETS_KEYS): a password cannot be stored');
    const passwordDiffers = password !== null && stored !== null && !samePassword(box!, stored.passwordSecret, context_, password);
    const production = options.production ?? false;
    const identity = identifyCommand(principal, 'SetVmwareConnection', context);
    if (!identity.ok) return identity;
    const passwordSecret = password === null ? null : box!.encrypt(password, context_);
    return handle(deps, {
      aggregate: vmwareConnectionAggregate,
      principal,
      streamId: vmwareConnectionStreamId(tenantId),
      command: {
        type: 'SetVmwareConnection',
        data: {
          actor: principal,
          expectedVersion: decidedVersion,
          input,
          password,
          passwordDiffers,
          previous: stored?.settings ?? null,
          production,
        },
      },
      identity: identity.value,
      context,
      expectedVersion: decidedVersion,
      inTransaction: async (tx, _streamId, events, before) => {
        // The decider accepted this very input, so it parses.
        const settings = parseVmwareSettings(input, production);
        if (!settings.ok) throw new Error('settings the decider accepted no longer parse');
        await writeVmwareConnection(tx, {
          tenantId,
          version: before.version + events.length,
          settings: settings.value,
          passwordSecret,
          updatedAt: deps.now(),
          updatedBy: principal.userId,
        });
        return null;
      },
    });
  },

  removeVmwareConnection: async (
    principal: Principal,
    input: RemoveVmwareConnectionInput,
    context: CommandContext = {},
  ): Promise<VmwareConnectionResult> => {
    const invalid = checkExpectedVersion(input.expectedVersion);
    if (invalid) return fail(invalid);
    if (!isAdmin(principal)) return fail(forbidden("Only tenant admins manage the tenant's vCenter connection"));
    // None to remove, whatever the version given (the caller's view of "none" has no version).
    if (!(await readVmwareConnection(deps.store.sql, principal.tenantId))) return fail(notFound(vmwareConnectionAggregate.notFoundMessage));
    const identity = identifyCommand(principal, 'RemoveVmwareConnection', context);
    if (!identity.ok) return identity;
    return handle(deps, {
      aggregate: vmwareConnectionAggregate,
      principal,
      streamId: vmwareConnectionStreamId(principal.tenantId),
      command: { type: 'RemoveVmwareConnection', data: { actor: principal, expectedVersion: input.expectedVersion } },
      identity: identity.value,
      context,
      expectedVersion: input.expectedVersion,
      inTransaction: async (tx) => {
        await deleteVmwareConnection(tx, principal.tenantId);
        return null;
      },
    });
  },
});

/** A removed connection has no row but a stream: its version is the stream's. */
const streamVersion = (deps: HandleDeps, tenantId: string): Promise<number> =>
  deps.store.streamVersion(vmwareConnectionStreamId(tenantId));

/** An unreadable stored password (lost key, tampering) is replaced by the one given, so it counts as different. */
const samePassword = (box: SecretBox, stored: string, context: string, given: string): boolean => {
  try {
    return box.decrypt(stored, context) === given;
  } catch {
    return false;
  }
};
