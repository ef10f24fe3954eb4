import { describe, expect, it } from 'vitest';
import { createNewestVersions } from '../../web/src/graphql/newest-versions.ts';

const request = (version: number, fields: Record<string, unknown> = {}) => ({ __typename: 'VmRequest', id: 'r1', version, ...fields });

describe('newest versions before the cache', () => {
  it("gives a late, older answer the newer version's values for the fields both carry", () => {
    const versions = createNewestVersions();
    // The detail subscription delivered version 5; the session feed's version 4 arrives after it.
    versions.apply({ vmRequestUpdated: request(5, { status: 'PROVISIONING', provisioningStage: 'CONFIGURING', timeline: ['a', 'b'] }) });
    const late = versions.apply({ vmRequestChanges: { cursor: 'c4', vmRequest: request(4, { status: 'PROVISIONING', provisioningStage: 'CLONING', hostname: null }) } });
    expect(late.vmRequestChanges).toEqual({
      cursor: 'c4',
      vmRequest: { __typename: 'VmRequest', id: 'r1', version: 5, status: 'PROVISIONING', provisioningStage: 'CONFIGURING', hostname: null },
    });
  });

  it('repairs a list query that read an older state than the live feed delivered, wherever the request sits', () => {
    const versions = createNewestVersions();
    versions.apply({ vmRequestChanges: { vmRequest: request(8, { status: 'READY', provisioningStage: null }) } });
    const page = versions.apply({
      vmRequests: { edges: [{ node: request(6, { status: 'PROVISIONING', provisioningStage: 'POWERING_ON', vmName: 'web-01' }) }, { node: { __typename: 'VmRequest', id: 'r2', version: 1, status: 'PENDING' } }] },
    });
    expect(page.vmRequests.edges.map((edge) => edge.node)).toEqual([
      { __typename: 'VmRequest', id: 'r1', version: 8, status: 'READY', provisioningStage: null, vmName: 'web-01' },
      { __typename: 'VmRequest', id: 'r2', version: 1, status: 'PENDING' },
    ]);
  });

  it('passes newer and equal versions through untouched, merging what each path carried of the same version', () => {
    const versions = createNewestVersions();
    const first = { vmRequestChanges: { vmRequest: request(2, { status: 'APPROVED' }) } };
    expect(versions.apply(first)).toBe(first);
    const sameVersion = { vmRequestUpdated: request(2, { status: 'APPROVED', timeline: ['created', 'approved'] }) };
    expect(versions.apply(sameVersion)).toBe(sameVersion);
    // Version 1 arriving now takes both paths' fields of version 2.
    expect(versions.apply({ node: request(1, { status: 'PENDING', timeline: ['created'] }) }).node).toEqual(request(2, { status: 'APPROVED', timeline: ['created', 'approved'] }));
    const newer = { vmRequestChanges: { vmRequest: request(3, { status: 'PROVISIONING' }) } };
    expect(versions.apply(newer)).toBe(newer);
  });

  it('leaves objects without a version, and other types, alone', () => {
    const versions = createNewestVersions();
    versions.apply({ a: request(9, { status: 'READY' }) });
    const data = { project: { __typename: 'Project', id: 'r1', version: 1, name: 'x' }, other: { __typename: 'VmRequest', id: 'r1', status: 'PENDING' } };
    expect(versions.apply(data)).toBe(data);
  });
});
