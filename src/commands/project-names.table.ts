import { pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';

/**
 * Reserved project names, one row per project, written in the same transaction as the ProjectCreated append.
 * The primary key makes "unique per tenant ignoring case" hold under concurrent creates: the second insert of a
 * name key waits for the first transaction and then fails, so exactly one project gets the name.
 */
export const projectNames = pgTable(
  'project_names',
  {
    tenantId: text('tenant_id').notNull(),
    /** The name lowercased (projectNameKey). */
    nameKey: text('name_key').notNull(),
    projectId: uuid('project_id').notNull(),
  },
  (t) => [primaryKey({ name: 'project_names_pkey', columns: [t.tenantId, t.nameKey] })],
);
