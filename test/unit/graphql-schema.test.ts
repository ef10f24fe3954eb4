import { isUnionType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/graphql/index.ts';
import { schemaFileProblem } from '../../src/graphql/schema-file.ts';

describe('schema.graphql', () => {
  it('is the schema the code defines (run `npm run schema:print` when this fails)', () => {
    expect(schemaFileProblem()).toBeNull();
  });

  it('has every mutation result as a union of its payload and all five error types (and quota refusals where a request would hold more)', () => {
    const schema = buildSchema();
    const mutations = Object.values(schema.getMutationType()!.getFields());
    expect(mutations.length).toBeGreaterThanOrEqual(7);
    const quotaChecked = new Set(['createVmRequest', 'approveVmRequest']);
    for (const field of mutations) {
      const name = field.name[0]!.toUpperCase() + field.name.slice(1);
      const union = schema.getType(`${name}Result`);
      const members = isUnionType(union) ? union.getTypes().map((type) => type.name).sort() : [];
      expect(members).toEqual(
        [
          `${name}Payload`,
          'ConcurrencyError',
          'ForbiddenError',
          'InvalidStateError',
          'NotFoundError',
          'ValidationError',
          ...(quotaChecked.has(field.name) ? ['QuotaExceededError'] : []),
          ...(field.name === 'approveVmRequest' ? ['ProvisioningNotConfiguredError'] : []),
        ].sort(),
      );
      expect(field.args.map((arg) => arg.type.toString())).toEqual([`${name}Input!`]);
    }
  });

  it('has every name api.md promises', () => {
    const schema = buildSchema();
    const fields = (typeName: string) => {
      const type = schema.getType(typeName);
      return type && 'getFields' in type ? Object.keys((type as { getFields(): object }).getFields()).sort() : [];
    };
    const args = (root: 'Query' | 'Subscription', field: string) => {
      const type = root === 'Query' ? schema.getQueryType() : schema.getSubscriptionType();
      return type?.getFields()[field]?.args.map((arg) => `${arg.name}: ${arg.type.toString()}`) ?? [];
    };
    expect(fields('Query')).toEqual(
      expect.arrayContaining(['viewer', 'vmSizes', 'node', 'project', 'projects', 'vmRequest', 'vmRequests', 'pendingApprovals']),
    );
    expect(args('Query', 'vmRequests')).toEqual(expect.arrayContaining(['filter: VmRequestFilter', 'first: Int', 'after: String']));
    expect(args('Query', 'pendingApprovals')).toEqual(expect.arrayContaining(['projectId: ID', 'first: Int', 'after: String']));
    expect(args('Subscription', 'vmRequestUpdated')).toEqual(['id: ID!']);
    expect(args('Subscription', 'vmRequestChanges')).toEqual(['mine: Boolean', 'projectId: ID', 'since: String']);
    expect(fields('Mutation')).toEqual(
      expect.arrayContaining([
        'createProject', 'addProjectMember', 'removeProjectMember',
        'createVmRequest', 'approveVmRequest', 'rejectVmRequest', 'cancelVmRequest',
      ]),
    );
    expect(fields('VmRequest')).toEqual(
      expect.arrayContaining([
        'id', 'project', 'vmName', 'size', 'spec', 'justification', 'status', 'version', 'requesterId', 'requesterEmail',
        'decidedBy', 'rejectionReason', 'cancellationReason', 'provisioningStage', 'vmwareVmId', 'hostname', 'ipAddress',
        'failureCode', 'failureMessage', 'createdAt', 'updatedAt', 'timeline', 'auditTrail',
      ]),
    );
    expect(fields('Project')).toEqual(expect.arrayContaining(['id', 'name', 'description', 'status', 'members', 'createdAt']));
    expect(fields('VmRequestFilter')).toEqual(expect.arrayContaining(['projectId', 'status', 'mine']));
    expect(fields('VmRequestChange')).toEqual(['cursor', 'vmRequest'].sort());
    expect(fields('AuditTrail')).toEqual(['verified', 'sealedUpTo', 'events'].sort());
    expect(fields('AuditEvent')).toEqual(['position', 'streamVersion', 'type', 'data', 'metadata', 'recordedAt', 'hash'].sort());
    expect(fields('TimelineEntry')).toEqual(['type', 'actorId', 'occurredAt', 'details'].sort());
    expect(fields('Viewer')).toEqual(['id', 'tenantId', 'roles', 'email', 'name', 'adminOfProjects'].sort());
    expect(fields('VmSizeSpec')).toEqual(['size', 'vcpus', 'memoryGb', 'diskGb', 'monthlyCostEur'].sort());
    expect(fields('ValidationError')).toEqual(['code', 'message', 'field', 'fields'].sort());
    expect(fields('FieldError')).toEqual(['field', 'message']);
    expect(fields('ConcurrencyError')).toEqual(['code', 'message', 'expectedVersion', 'actualVersion'].sort());
    expect(fields('InvalidStateError')).toEqual(['code', 'message', 'currentStatus'].sort());
    expect(fields('QuotaExceededError')).toEqual(['code', 'message', 'resource', 'limit', 'used', 'requested'].sort());
    expect(fields('ProjectQuota')).toEqual(['maxVms', 'maxVCpus', 'maxRamGb', 'maxStorageGb'].sort());
    expect(fields('ProjectUsage')).toEqual(
      expect.arrayContaining(['running', 'held', 'counted', 'vms', 'vcpus', 'memoryGb', 'diskGb', 'monthlyCostEur']),
    );
    expect(fields('Project')).toEqual(expect.arrayContaining(['version', 'quota', 'usage']));
    for (const name of ['NotFoundError', 'ForbiddenError', 'Error']) expect(fields(name)).toEqual(['code', 'message']);
    for (const scalar of ['DateTime', 'JSON']) expect(schema.getType(scalar)?.toString()).toBe(scalar);
  });
});
