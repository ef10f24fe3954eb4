import { type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';
import type { VmRequestRow } from '../../projections/vm-requests.table.ts';

export type VmRequestColumn = keyof VmRequestRow;

/**
 * Read for every request whatever is selected: what the view's own plumbing uses (its cursor, the loaders of its
 * project, timeline and audit trail, the visibility it was read under), all small.
 */
export const CORE_COLUMNS = ['id', 'tenantId', 'projectId', 'requesterId', 'status', 'version', 'changedTx', 'changedPosition'] as const satisfies readonly VmRequestColumn[];

/**
 * The columns each VmRequest field resolves from (through vmRequestFromRow, types/vm-request.ts), beyond the core.
 * A field missing here makes its selection read every column, so a field added to the type is never read short;
 * test/unit/graphql-vm-request-columns.test.ts checks that every field of the type is listed.
 */
export const FIELD_COLUMNS: Readonly<Record<string, readonly VmRequestColumn[]>> = {
  __typename: [],
  id: [],
  project: [],
  status: [],
  version: [],
  requesterId: [],
  timeline: [],
  auditTrail: [],
  vmName: ['vmName'],
  size: ['size'],
  spec: ['size'],
  justification: ['justification'],
  requesterEmail: ['requesterEmail'],
  requesterName: ['requesterName'],
  decidedBy: ['decidedBy'],
  rejectionReason: ['rejectionReason'],
  cancellationReason: ['cancellationReason'],
  provisioningStage: ['provisioningStage'],
  provisioningAttempt: ['provisioningAttempts'],
  nextRetryAt: ['nextRetryAt'],
  vmwareVmId: ['vmwareVmId'],
  hostname: ['hostname'],
  ipAddress: ['ipAddress'],
  provisioningWarning: ['provisioningWarning'],
  failureCode: ['failureCode'],
  failureMessage: ['failureMessage'],
  powerState: ['powerState'],
  pendingOperation: ['pendingOperation'],
  decommissionedAt: ['decommissionedAt'],
  lastOperationFailure: ['failedOperation', 'failedOperationCode', 'failedOperationMessage', 'failedOperationAttempts', 'failedOperationAt'],
  createdAt: ['createdAt'],
  updatedAt: ['updatedAt'],
};

/** The path from a connection field to its requests. */
export const CONNECTION_NODES = ['edges', 'node'] as const;

/** Every column: for a selection this module cannot account for. */
export const ALL_COLUMNS = null;

/**
 * The columns a selection of requests reads: the core plus what each selected field needs, over every field node
 * of the resolver (several when a field is selected more than once), with fragments and inline fragments followed
 * whatever their type condition or directives say (reading a column too many is harmless; one too few is not).
 * `path` leads from the resolver's field to the requests' selection: [] for a field that is a request, ['edges',
 * 'node'] for a connection. Null (every column) when a selected field is not in FIELD_COLUMNS.
 */
export function selectedColumns(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, path: readonly string[]): VmRequestColumn[] | null {
  // A field node belongs to one parsed document, which yoga keeps and hands to every request sending the same query:
  // its answer is worked out once. Only the resolver's own field nodes (which the first one stands for) and the path
  // decide it.
  const [first] = info.fieldNodes;
  const known = first && info.fieldNodes.length === 1 ? remembered.get(first)?.get(path.join('.')) : undefined;
  if (known !== undefined) return known;
  const columns = columnsOf(info, path);
  if (first && info.fieldNodes.length === 1) {
    let byPath = remembered.get(first);
    if (!byPath) remembered.set(first, (byPath = new Map()));
    byPath.set(path.join('.'), columns);
  }
  return columns;
}

const remembered = new WeakMap<FieldNode, Map<string, VmRequestColumn[] | null>>();

function columnsOf(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, path: readonly string[]): VmRequestColumn[] | null {
  const columns = new Set<VmRequestColumn>(CORE_COLUMNS);
  let known = true;
  const visit = (selectionSet: SelectionSetNode | undefined, depth: number, seen: Set<string>): void => {
    if (!selectionSet || !known) return;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet, depth, seen);
      else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment: FragmentDefinitionNode | undefined = info.fragments[selection.name.value];
        // A fragment met again on the same path adds nothing (and a cycle is invalid anyway).
        if (fragment && !seen.has(fragment.name.value)) visit(fragment.selectionSet, depth, new Set(seen).add(fragment.name.value));
      } else visitField(selection, depth, seen);
      if (!known) return;
    }
  };
  const visitField = (field: FieldNode, depth: number, seen: Set<string>): void => {
    const name = field.name.value;
    if (depth < path.length) {
      if (name === path[depth]) visit(field.selectionSet, depth + 1, seen);
      return;
    }
    const needed = FIELD_COLUMNS[name];
    if (!needed) known = false;
    else for (const column of needed) columns.add(column);
  };
  for (const node of info.fieldNodes) visit(node.selectionSet, 0, new Set());
  return known ? [...columns].sort() : ALL_COLUMNS;
}
