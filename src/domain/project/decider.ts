import type { Decider } from '../decider.ts';
import type { ProjectCommand } from './commands.ts';
import { decideProject } from './decide.ts';
import type { ProjectEvent } from './events.ts';
import { evolveProject } from './evolve.ts';
import { initialProjectState, type ProjectState } from './state.ts';

export const projectDecider: Decider<ProjectCommand, ProjectEvent, ProjectState> = {
  initialState: initialProjectState,
  decide: decideProject,
  evolve: evolveProject,
};
