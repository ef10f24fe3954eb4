import { type GraphQLObjectType, type OperationDefinitionNode, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/graphql/index.ts';
import { CONNECTION_NODES, CORE_COLUMNS, FIELD_COLUMNS, selectedColumns } from '../../src/graphql/read/vm-request-columns.ts';
import { getTableColumns } from 'drizzle-orm';
import { vmRequests } from '../../src/projections/vm-requests.table.ts';

/** selectedColumns for the first field of the operation, as its resolver's info would hold it. */
const columnsOf = (query: string, path: readonly string[]) => {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  const fragments = Object.fromEntries(
    document.definitions.flatMap((d) => (d.kind === 'FragmentDefinition' ? [[d.name.value, d]] : [])),
  );
  const first = operation.selectionSet.selections[0]!;
  if (first.kind !== 'Field') throw new Error('first selection is not a field');
  return selectedColumns({ fieldNodes: [first], fragments }, path);
};

describe('the columns a selection of VM requests reads', () => {
  it('covers every field of VmRequest, and names only columns of vm_requests', () => {
    const type = buildSchema().getType('VmRequest') as GraphQLObjectType;
    const fields = Object.keys(type.getFields()).sort();
    expect(Object.keys(FIELD_COLUMNS).filter((name) => name !== '__typename').sort()).toEqual(fields);
    const columns = Object.keys(getTableColumns(vmRequests));
    for (const needed of [...Object.values(FIELD_COLUMNS), CORE_COLUMNS]) for (const column of needed) expect(columns).toContain(column);
  });

  it("reads the core and the selected fields' columns, through aliases, fragments and inline fragments", () => {
    const columns = columnsOf(
      `query { vmRequests(first: 5) {
         totalCount pageInfo { endCursor }
         edges { cursor node { x: vmName ...F ... on Node { ... on VmRequest { lastOperationFailure { code } } } } }
       } }
       fragment F on VmRequest { spec { vcpus } ...G }
       fragment G on VmRequest { rejectionReason @include(if: false) }`,
      CONNECTION_NODES,
    );
    expect(columns).toEqual(
      [
        ...CORE_COLUMNS,
        'vmName',
        'size',
        'rejectionReason',
        'failedOperation',
        'failedOperationCode',
        'failedOperationMessage',
        'failedOperationAttempts',
        'failedOperationAt',
      ].sort(),
    );
  });

  it('reads only the core for fields that resolve from it, and every column for a field it does not know', () => {
    expect(columnsOf('query { vmRequest(id: "x") { id status version project { name } } }', [])).toEqual([...CORE_COLUMNS].sort());
    expect(columnsOf('query { vmRequest(id: "x") { id somethingNew } }', [])).toBeNull();
    expect(columnsOf('query { vmRequests { edges { node { id futureField } } } }', CONNECTION_NODES)).toBeNull();
  });

  it('merges every field node of the resolver (the same field selected twice)', () => {
    const document = parse('query { vmRequest(id: "x") { vmName } vmRequest(id: "x") { hostname } }');
    const operation = document.definitions[0] as OperationDefinitionNode;
    const fieldNodes = operation.selectionSet.selections.filter((s) => s.kind === 'Field');
    expect(selectedColumns({ fieldNodes, fragments: {} }, [])).toEqual([...CORE_COLUMNS, 'hostname', 'vmName'].sort());
  });

  it('answers again for the same parsed field from what it worked out, per path', () => {
    const document = parse('query { vmRequests { edges { node { hostname } } } }');
    const operation = document.definitions[0] as OperationDefinitionNode;
    const fieldNodes = operation.selectionSet.selections.filter((s) => s.kind === 'Field');
    const first = selectedColumns({ fieldNodes, fragments: {} }, CONNECTION_NODES);
    expect(first).toEqual([...CORE_COLUMNS, 'hostname'].sort());
    expect(selectedColumns({ fieldNodes, fragments: {} }, CONNECTION_NODES)).toBe(first);
    // The same field node on another path (read as a request, whose `edges` is no field of one): every column.
    expect(selectedColumns({ fieldNodes, fragments: {} }, [])).toBeNull();
  });
});
