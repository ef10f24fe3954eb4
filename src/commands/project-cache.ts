import type { ProjectState } from '../domain/index.ts';

/** A project's folded state at a version, and the tenant its stream belongs to. */
export interface ProjectSnapshot {
  tenantId: string;
  state: ProjectState;
  version: number;
}

export interface ProjectCache {
  get(projectId: string): ProjectSnapshot | undefined;
  set(projectId: string, snapshot: ProjectSnapshot): void;
  delete(projectId: string): void;
}

/**
 * The projects new VM requests were last decided on, so a request does not read and fold its project's stream
 * every time. Safe because nothing is decided on a cached state alone: the request is appended only if the
 * project is still at the cached version (project-guard.ts), and a failed condition evicts the entry and decides
 * again on a fresh read. So a change made by another process costs one retry, never a wrong decision.
 * Least recently used entries go first once `max` is reached.
 */
export function createProjectCache(max = 10_000): ProjectCache {
  const entries = new Map<string, ProjectSnapshot>();
  return {
    get(projectId) {
      const entry = entries.get(projectId);
      if (entry) {
        entries.delete(projectId);
        entries.set(projectId, entry);
      }
      return entry;
    },
    set(projectId, snapshot) {
      entries.delete(projectId);
      entries.set(projectId, snapshot);
      if (entries.size > max) entries.delete(entries.keys().next().value!);
    },
    delete(projectId) {
      entries.delete(projectId);
    },
  };
}
