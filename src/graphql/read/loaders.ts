import type { DrizzleDb } from '../../db/client.ts';
import { type Project, type ProjectMember, systemPrincipal } from '../../domain/index.ts';
import { type AggregateSnapshot, readProject } from '../../commands/index.ts';
import type { EventStore } from '../../event-store/index.ts';
import type { ProjectView } from '../views/project.ts';
import type { VmRequestView } from '../views/vm-request.ts';
import { type AuditTrailView, auditTrailOf } from './audit-trail.ts';
import { groupBy, memoizedBatch } from './batch.ts';
import { ledgerOf, type ProjectLedgerView } from './project-quota.ts';
import { membersOf, projectsByIds } from './projects.ts';
import { timelineFromStore } from './timeline-from-store.ts';
import { type TimelineEntryView, timelinesOf } from './timeline.ts';

/** The related data of a view, loaded on demand, batched per tick and memoised on the view (see batch.ts). */
export interface Loaders {
  projectOf(request: VmRequestView): Promise<ProjectView>;
  membersOf(project: ProjectView): Promise<readonly ProjectMember[]>;
  timelineOf(request: VmRequestView): Promise<TimelineEntryView[]>;
  auditTrailOf(request: VmRequestView): Promise<AuditTrailView>;
  /** The project's quota and usage, from one reading of the quota ledger (Project.quota and Project.usage share it). */
  ledgerOf(project: ProjectView): Promise<ProjectLedgerView>;
}

const cache = new WeakMap<DrizzleDb, Loaders>();

export const loadersFor = (services: { db: DrizzleDb; store: EventStore }): Loaders => {
  const cached = cache.get(services.db);
  if (cached) return cached;
  const loaders = createLoaders(services.db, services.store);
  cache.set(services.db, loaders);
  return loaders;
};

const createLoaders = (db: DrizzleDb, store: EventStore): Loaders => {
  const projectOf = memoizedBatch<VmRequestView, ProjectView>(async (requests) => {
    const found = new Map<string, ProjectView>();
    for (const [tenantId, group] of groupBy(requests, (request) => request.tenantId)) {
      const ids = [...new Set(group.map((request) => request.projectId))];
      for (const project of await projectsByIds(db, tenantId, ids)) found.set(project.id, project);
    }
    return Promise.all(
      requests.map(async (request) => {
        const project = request.project ?? found.get(request.projectId);
        return project ?? projectFromStore(store, request.tenantId, request.projectId);
      }),
    );
  });

  const members = memoizedBatch<ProjectView, readonly ProjectMember[]>(async (projects) => {
    const loaded = new Map<string, ProjectMember[]>();
    for (const [tenantId, group] of groupBy(projects, (project) => project.tenantId)) {
      const missing = group.filter((project) => project.members === null).map((project) => project.id);
      for (const [id, list] of await membersOf(db, tenantId, missing)) loaded.set(id, list);
    }
    return projects.map((project) => project.members ?? loaded.get(project.id) ?? []);
  });

  const timelineOf = memoizedBatch<VmRequestView, TimelineEntryView[]>(async (requests) => {
    const fromTable = new Map<string, TimelineEntryView[]>();
    const inReadModel = requests.filter((request) => request.cursor !== null);
    for (const [tenantId, group] of groupBy(inReadModel, (request) => request.tenantId)) {
      const ids = [...new Set(group.map((request) => request.id))];
      for (const [id, entries] of await timelinesOf(db, tenantId, ids)) fromTable.set(id, entries);
    }
    return Promise.all(
      requests.map(async (request) => {
        const entries = fromTable.get(request.id);
        // A state straight from a command may be ahead of the read model: fold its timeline from the stream.
        if (!entries) return timelineFromStore(store, request.tenantId, request.id, request.version);
        return entries.filter((entry) => entry.streamVersion <= request.version);
      }),
    );
  });

  const auditTrail = memoizedBatch<VmRequestView, AuditTrailView>((requests) =>
    Promise.all(requests.map((request) => auditTrailOf(store, request.tenantId, request.id, request.version))),
  );

  const ledger = memoizedBatch<ProjectView, ProjectLedgerView>(async (projects) => {
    const loaded = new Map<string, ProjectLedgerView>();
    for (const [tenantId, group] of groupBy(projects, (project) => project.tenantId)) {
      const ids = [...new Set(group.map((project) => project.id))];
      for (const [id, entry] of await ledgerOf(db, tenantId, ids)) loaded.set(id, entry);
    }
    return projects.map((project) => loaded.get(project.id) as ProjectLedgerView);
  });

  return { projectOf, membersOf: members, timelineOf, auditTrailOf: auditTrail, ledgerOf: ledger };
};

/** A project the read model does not show yet (just created): folded from its stream. */
const projectFromStore = async (store: EventStore, tenantId: string, projectId: string): Promise<ProjectView> => {
  const result = await readProject(store, systemPrincipal(tenantId), projectId);
  if (!result.ok) throw new Error(`project ${projectId} of tenant ${tenantId} is in neither the read model nor the store`);
  return projectViewOf(tenantId, projectId, result.value);
};

/** The view of a project as its stream folds (readProject), for when the read model may be behind. */
export const projectViewOf = (tenantId: string, projectId: string, snapshot: AggregateSnapshot<Project>): ProjectView => {
  const { state } = snapshot;
  return {
    kind: 'Project',
    id: projectId,
    tenantId,
    name: state.name,
    description: state.description,
    status: state.status,
    createdBy: state.createdBy,
    createdAt: new Date(snapshot.createdAt),
    version: snapshot.version,
    members: state.members,
  };
};
