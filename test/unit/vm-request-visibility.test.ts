import { describe, expect, it } from 'vitest';
import { canSeeVmRequest, systemPrincipal } from '../../src/domain/index.ts';
import { alice, bob, carol, dave, eve, OTHER_TENANT, person, TENANT } from '../support/personas.ts';

const aliceRequest = { tenantId: TENANT, requesterId: alice.userId };

describe('canSeeVmRequest', () => {
  it('a user sees the requests they created', () => {
    expect(canSeeVmRequest(alice, aliceRequest)).toBe(true);
  });

  it("a user does not see another user's request of the same tenant", () => {
    expect(canSeeVmRequest(dave, aliceRequest)).toBe(false);
  });

  it('an admin sees every request of the tenant, whoever created it', () => {
    expect(canSeeVmRequest(bob, aliceRequest)).toBe(true);
    expect(canSeeVmRequest(bob, { tenantId: TENANT, requesterId: 'someone-else' })).toBe(true);
  });

  it('a user who is also an admin sees as an admin', () => {
    expect(canSeeVmRequest(carol, aliceRequest)).toBe(true);
  });

  it("an admin of another tenant sees none of this tenant's requests", () => {
    expect(canSeeVmRequest(eve, aliceRequest)).toBe(false);
  });

  it("the same user id in another tenant is someone else: not the requester", () => {
    expect(canSeeVmRequest(person(OTHER_TENANT, alice.userId), aliceRequest)).toBe(false);
    expect(canSeeVmRequest(person(OTHER_TENANT, alice.userId), { tenantId: OTHER_TENANT, requesterId: alice.userId })).toBe(true);
  });

  it('the provisioning system principal carries no role: it sees no request by this rule', () => {
    expect(canSeeVmRequest(systemPrincipal(TENANT), aliceRequest)).toBe(false);
  });
});
