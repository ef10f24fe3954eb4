import type { Decider } from '../decider.ts';
import { concurrencyConflict, type DomainResult, forbidden, invalidFields, notFound } from '../errors.ts';
import { isAdmin, type Principal } from '../principal.ts';
import { fail, ok } from '../result.ts';
import type { VmwareConnectionEvent } from './events.ts';
import { changedSettingFields, parseVmwarePassword, parseVmwareSettings, type VmwareSettings, type VmwareSettingsInput } from './settings.ts';

/** A tenant's connection as its stream tells it: whether one is set (the settings are in the table, not the events). */
export interface VmwareConnectionState {
  status: 'NONE' | 'CONFIGURED' | 'REMOVED';
  /** Events folded so far: the stream's version. */
  version: number;
}
export type VmwareConnection = VmwareConnectionState & { status: 'CONFIGURED' | 'REMOVED' };

export type SetVmwareConnection = {
  type: 'SetVmwareConnection';
  data: {
    actor: Principal;
    /** The version the admin looked at (0: none set yet). */
    expectedVersion: number;
    input: VmwareSettingsInput;
    /** Absent: keep the stored one (required when none is stored). */
    password: string | null;
    /** Whether `password` differs from the stored one (the command layer compares; the domain never sees it stored). */
    passwordDiffers: boolean;
    /** The stored settings at the version decided on (the settings table), to name what changed. */
    previous: VmwareSettings | null;
    production: boolean;
  };
};
export type RemoveVmwareConnection = { type: 'RemoveVmwareConnection'; data: { actor: Principal; expectedVersion: number } };
export type VmwareConnectionCommand = SetVmwareConnection | RemoveVmwareConnection;

export const initialVmwareConnectionState = (): VmwareConnectionState => ({ status: 'NONE', version: 0 });

const evolve = (state: VmwareConnectionState, event: VmwareConnectionEvent): VmwareConnectionState => ({
  status: event.type === 'VmwareConnectionChanged' ? 'CONFIGURED' : 'REMOVED',
  version: state.version + 1,
});

const decide = (command: VmwareConnectionCommand, state: VmwareConnectionState): DomainResult<VmwareConnectionEvent[]> => {
  if (!isAdmin(command.data.actor)) return fail(forbidden("Only tenant admins manage the tenant's vCenter connection"));
  const by = command.data.actor.userId;
  if (command.data.expectedVersion !== state.version) return fail(concurrencyConflict(command.data.expectedVersion, state.version));
  if (command.type === 'RemoveVmwareConnection') {
    if (state.status !== 'CONFIGURED') return fail(notFound('No vCenter connection is configured'));
    return ok([{ type: 'VmwareConnectionRemoved', data: { removedBy: by } }]);
  }
  const { input, password, passwordDiffers, production } = command.data;
  // No stored settings means the admin saw no connection and sent 0; the version decided on is the stream's, read
  // after that look, so a connection another admin set in between would otherwise be overwritten unseen.
  if (command.data.previous === null && state.status === 'CONFIGURED') return fail(concurrencyConflict(0, state.version));
  const previous = state.status === 'CONFIGURED' ? command.data.previous : null;
  const settings = parseVmwareSettings(input, production);
  const passwordProblem =
    password !== null
      ? parseVmwarePassword(password)
      : state.status !== 'CONFIGURED'
        ? { field: 'password', message: 'Password is required when the connection is first set' }
        : null;
  if (passwordProblem) {
    const others = settings.ok || settings.error.code !== 'VALIDATION' ? [] : settings.error.fields;
    return fail(invalidFields([passwordProblem, ...others]));
  }
  if (!settings.ok) return settings;
  const changedFields = changedSettingFields(previous, settings.value);
  const passwordChanged = password !== null && (previous === null || passwordDiffers);
  if (changedFields.length === 0 && !passwordChanged) return ok([]);
  return ok([{ type: 'VmwareConnectionChanged', data: { changedBy: by, changedFields, passwordChanged } }]);
};

export const vmwareConnectionDecider: Decider<VmwareConnectionCommand, VmwareConnectionEvent, VmwareConnectionState> = {
  initialState: initialVmwareConnectionState,
  decide,
  evolve,
};
