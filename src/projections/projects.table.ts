import { bigint, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** One row per project. Written only by the `projects` projection. */
export const projects = pgTable(
  'projects',
  {
    id: uuid('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    /** ACTIVE or ARCHIVED. */
    status: text('status').notNull(),
    version: integer('version').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamptz('created_at').notNull(),
    updatedAt: timestamptz('updated_at').notNull(),
    /** (transaction id, position) of the last event applied to the project or its members. */
    changedTx: bigint('changed_tx', { mode: 'bigint' }).notNull(),
    changedPosition: bigint('changed_position', { mode: 'bigint' }).notNull(),
  },
  (t) => [
    index('projects_tenant_created_idx').on(t.tenantId, t.createdAt, t.id),
    index('projects_tenant_changed_idx').on(t.tenantId, t.changedTx, t.changedPosition),
  ],
);

/** Current members of each project. */
export const projectMembers = pgTable(
  'project_members',
  {
    projectId: uuid('project_id').notNull(),
    tenantId: text('tenant_id').notNull(),
    userId: text('user_id').notNull(),
    /** MEMBER or PROJECT_ADMIN. */
    role: text('role').notNull(),
    addedAt: timestamptz('added_at').notNull(),
  },
  (t) => [
    primaryKey({ name: 'project_members_pkey', columns: [t.projectId, t.userId] }),
    // "Which projects am I in?"
    index('project_members_tenant_user_idx').on(t.tenantId, t.userId),
  ],
);

export type ProjectRow = typeof projects.$inferSelect;
export type ProjectMemberRow = typeof projectMembers.$inferSelect;
