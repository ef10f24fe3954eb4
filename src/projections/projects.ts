import { isProjectEvent, toDomainEvent } from '../domain/events.ts';
import { projectEventSchemaVersions } from '../domain/project/events.ts';
import type { ProjectEvent } from '../domain/project/events.ts';
import type { LogEvent } from '../event-store/read-all.ts';
import { checkpointOf } from './cursor.ts';
import { entityId, eventTime } from './event-facts.ts';
import { projectMembers, projects } from './projects.table.ts';
import { replaceAllExcept } from './table-sql.ts';
import { pipelined, type ChangedRow, type PreparedBatch, type Projection } from './types.ts';

export const PROJECTS_PROJECTION = 'projects';

interface ProjectRecord {
  id: string;
  tenant_id: string;
  name: string;
  description: string | null;
  status: string;
  version: number;
  created_by: string;
  created_at: string;
  updated_at: string;
  changed_tx: string;
  changed_position: string;
}

/** What a batch leaves of one membership: present with a role, or gone. */
type MemberOutcome =
  | {
      kind: 'present';
      project_id: string;
      tenant_id: string;
      user_id: string;
      role: string;
      added_at: string;
      /** Removed earlier in the batch, so an existing row's added_at is stale and must be replaced. */
      rejoined: boolean;
    }
  | { kind: 'gone'; project_id: string; user_id: string };

const REPLACE_ROW = replaceAllExcept(projects, ['id']);
const NOTHING: PreparedBatch = pipelined([], () => []);

function evolveProjectRecord(record: ProjectRecord | undefined, event: LogEvent, domain: ProjectEvent): ProjectRecord {
  const at = eventTime(event);
  const stamp = {
    version: event.streamVersion,
    updated_at: at,
    changed_tx: event.transactionId.toString(),
    changed_position: event.position.toString(),
  };
  if (domain.type === 'ProjectCreated') {
    return {
      id: entityId(event),
      tenant_id: event.tenantId,
      name: domain.data.name,
      description: domain.data.description ?? null,
      status: 'ACTIVE',
      created_by: domain.data.createdBy,
      created_at: at,
      ...stamp,
    };
  }
  if (!record) throw new Error(`${domain.type} for project ${entityId(event)}, which has no ProjectCreated before it`);
  switch (domain.type) {
    case 'ProjectArchived':
      return { ...record, ...stamp, status: 'ARCHIVED' };
    case 'ProjectUnarchived':
      return { ...record, ...stamp, status: 'ACTIVE' };
    case 'MemberAdded':
    case 'MemberRemoved':
    // Limits live in the quota ledger (project_quotas); the row only moves to the version clients must expect.
    case 'ProjectQuotaSet':
      return { ...record, ...stamp };
    default: {
      const unhandled: never = domain;
      throw new Error(`unhandled project event ${JSON.stringify(unhandled)}`);
    }
  }
}

function memberOutcome(previous: MemberOutcome | undefined, event: LogEvent, domain: ProjectEvent): MemberOutcome | undefined {
  const projectId = entityId(event);
  if (domain.type === 'MemberAdded') {
    const { userId, role } = domain.data;
    // A role change keeps the membership's added_at (as the domain keeps the member's place).
    if (previous?.kind === 'present') return { ...previous, role };
    return {
      kind: 'present',
      project_id: projectId,
      tenant_id: event.tenantId,
      user_id: userId,
      role,
      added_at: eventTime(event),
      rejoined: previous?.kind === 'gone',
    };
  }
  if (domain.type === 'MemberRemoved') return { kind: 'gone', project_id: projectId, user_id: domain.data.userId };
  return previous;
}

/** `projects` and `project_members`. Member changes also advance the project's version and change cursor. */
export const projectsProjection: Projection = {
  name: PROJECTS_PROJECTION,
  tables: [projects, projectMembers],
  // A read model: rebuilt from the log, so a server crash losing its last commits costs nothing (see Projection).
  asynchronousCommit: true,
  // Most batches (live ones above all) hold no project event: those write nothing, which pipelines with the other
  // projections' writes (see PreparedBatch). Any other batch reads the projects it changes first, so it is `apply`.
  prepare(events) {
    if (!events.some((event) => Object.hasOwn(projectEventSchemaVersions, event.type))) return NOTHING;
    return (tx) => projectsProjection.apply(tx, events);
  },
  async apply(tx, events) {
    const projectEvents: { event: LogEvent; domain: ProjectEvent }[] = [];
    for (const event of events) {
      // Most events are about VM requests: skip them before decoding.
      if (!Object.hasOwn(projectEventSchemaVersions, event.type)) continue;
      const domain = toDomainEvent(event.type, event.schemaVersion, event.data);
      if (isProjectEvent(domain)) projectEvents.push({ event, domain });
    }
    if (projectEvents.length === 0) return [];

    const firstSeen = new Set<string>();
    const toLoad: string[] = [];
    for (const { event, domain } of projectEvents) {
      const id = entityId(event);
      if (firstSeen.has(id)) continue;
      firstSeen.add(id);
      if (domain.type !== 'ProjectCreated') toLoad.push(id);
    }
    const records = new Map<string, ProjectRecord>();
    if (toLoad.length > 0) {
      const rows = await tx<{ row: ProjectRecord }[]>`
        select to_jsonb(p) as row from projects p where p.id = any(${toLoad}::uuid[])`;
      for (const { row } of rows) records.set(row.id, row);
    }

    const members = new Map<string, MemberOutcome>();
    const changed = new Map<string, ChangedRow>();
    for (const { event, domain } of projectEvents) {
      const id = entityId(event);
      records.set(id, evolveProjectRecord(records.get(id), event, domain));
      if (domain.type === 'MemberAdded' || domain.type === 'MemberRemoved') {
        const key = `${id}\u0000${domain.data.userId}`;
        const outcome = memberOutcome(members.get(key), event, domain);
        if (outcome) members.set(key, outcome);
      }
      changed.set(id, { id, tenantId: event.tenantId, cursor: checkpointOf(event) });
    }

    const rows = [...changed.keys()].map((id) => records.get(id)!);
    const writes: Promise<unknown>[] = [];
    writes.push(tx`
      insert into projects
      select * from json_populate_recordset(null::projects, ${JSON.stringify(rows)}::text::json)
      on conflict (id) do update set ${tx.unsafe(REPLACE_ROW)}`);
    const gone = [...members.values()].filter((m) => m.kind === 'gone');
    const present = [...members.values()].filter((m) => m.kind === 'present');
    if (gone.length > 0) {
      writes.push(tx`
        delete from project_members m
        using json_to_recordset(${JSON.stringify(gone)}::text::json) as g(project_id uuid, user_id text)
        where m.project_id = g.project_id and m.user_id = g.user_id`);
    }
    // ON CONFLICT can only see the proposed row, so memberships whose added_at is replaced go in their own statement.
    const rejoined = present.filter((m) => m.kind === 'present' && m.rejoined);
    const kept = present.filter((m) => m.kind === 'present' && !m.rejoined);
    if (rejoined.length > 0) {
      writes.push(tx`
        insert into project_members (project_id, tenant_id, user_id, role, added_at)
        select project_id, tenant_id, user_id, role, added_at
        from json_to_recordset(${JSON.stringify(rejoined)}::text::json)
          as p(project_id uuid, tenant_id text, user_id text, role text, added_at timestamptz)
        on conflict (project_id, user_id) do update set role = excluded.role, added_at = excluded.added_at`);
    }
    if (kept.length > 0) {
      writes.push(tx`
        insert into project_members (project_id, tenant_id, user_id, role, added_at)
        select project_id, tenant_id, user_id, role, added_at
        from json_to_recordset(${JSON.stringify(kept)}::text::json)
          as p(project_id uuid, tenant_id text, user_id text, role text, added_at timestamptz)
        on conflict (project_id, user_id) do update set role = excluded.role`);
    }
    // Different rows of different tables: order does not matter, so let them pipeline.
    await Promise.all(writes);
    return [...changed.values()];
  },
};
