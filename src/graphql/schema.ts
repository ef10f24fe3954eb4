import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from './builder.ts';
// Each file registers its types and fields with the builder when imported.
import './root.ts';
import './types/scalars.ts';
import './types/enums.ts';
import './types/error.ts';
import './types/error-types.ts';
import './types/viewer.ts';
import './types/vm-size-spec.ts';
import './types/project-member.ts';
import './types/project.ts';
import './types/timeline-entry.ts';
import './types/audit-trail.ts';
import './types/vm-request.ts';
import './types/vm-request-filter.ts';
import './types/vm-request-change.ts';
import './types/connections.ts';
import './types/connection-counts.ts';
import './types/project-usage.ts';
import './types/project-quota.ts';
import './types/project-vm-requests.ts';
import './types/usage-report.ts';
import './types/vmware-connection.ts';
import './queries/viewer.ts';
import './queries/vm-sizes.ts';
import './queries/live-cursor.ts';
import './queries/node.ts';
import './queries/project.ts';
import './queries/projects.ts';
import './queries/vm-request.ts';
import './queries/vm-requests.ts';
import './queries/pending-approvals.ts';
import './queries/usage-report.ts';
import './queries/vmware-connection.ts';
import './mutations/create-project.ts';
import './mutations/add-project-member.ts';
import './mutations/remove-project-member.ts';
import './mutations/archive-project.ts';
import './mutations/set-project-quota.ts';
import './mutations/create-vm-request.ts';
import './mutations/approve-vm-request.ts';
import './mutations/reject-vm-request.ts';
import './mutations/cancel-vm-request.ts';
import './mutations/power-vm.ts';
import './mutations/decommission-vm.ts';
import './mutations/set-vmware-connection.ts';
import './mutations/remove-vmware-connection.ts';
import './mutations/test-vmware-connection.ts';
import './subscriptions/vm-request-updated.ts';
import './subscriptions/vm-request-changes.ts';
import './subscriptions/project-usage-changed.ts';

let schema: GraphQLSchema | undefined;

/** The executable schema; built once per process (the builder can only be turned into a schema once). */
export const buildSchema = (): GraphQLSchema => {
  schema ??= builder.toSchema();
  return schema;
};

/** The schema as checked in: sorted, so the file changes only when the API does. */
export const printSortedSchema = (): string => `${printSchema(lexicographicSortSchema(buildSchema()))}\n`;
