import type { VmRequestCommand } from './commands.ts';
import { decideVmRequest } from './decide.ts';
import type { VmRequestEvent } from './events.ts';
import { evolveVmRequest } from './evolve.ts';
import { initialVmRequestState, type VmRequestState } from './state.ts';
import type { Decider } from '../decider.ts';

export const vmRequestDecider: Decider<VmRequestCommand, VmRequestEvent, VmRequestState> = {
  initialState: initialVmRequestState,
  decide: decideVmRequest,
  evolve: evolveVmRequest,
};
