import { describe, expect } from 'vitest';
import { createCommandHandlers } from '../../src/commands/index.ts';
import { canSeeVmRequest, type Principal } from '../../src/domain/index.ts';
import { visibleTo } from '../../src/graphql/read/vm-request-rows.ts';
import { PROJECTIONS, startProjector } from '../../src/projections/index.ts';
import { vmRequests } from '../../src/projections/vm-requests.table.ts';
import { dbTest } from '../support/db-test.ts';
import { alice, bob, carol, dave, eve, OTHER_TENANT, person, TENANT } from '../support/personas.ts';
import { success, validRequest } from './commands-fixtures.ts';

// The same user id in the other tenant: a different person, who must not see acme's alice's requests.
const globexAlice = person(OTHER_TENANT, alice.userId);
const frank = person(TENANT, 'frank');
const stranger = person('initech', 'mallory', 'admin');

describe('VM request visibility: the SQL condition and the domain rule', () => {
  dbTest('select the same requests for every principal, against the projected vm_requests', async ({ database, store }) => {
    const commands = createCommandHandlers(store);
    const project = async (admin: Principal, name: string, members: Principal[]) => {
      const { id } = success(await commands.createProject(admin, { name, description: 'Visibility' }));
      for (const member of members) {
        success(await commands.addProjectMember(admin, { projectId: id, userId: member.userId, role: 'MEMBER' }));
      }
      return id;
    };
    const acme = await project(bob, 'Shop', [alice, dave]);
    const globex = await project(eve, 'Shop', [globexAlice]);
    const requests: [Principal, string][] = [
      [alice, acme],
      [alice, acme],
      [dave, acme],
      [carol, acme],
      [globexAlice, globex],
      [eve, globex],
    ];
    for (const [i, [requester, projectId]] of requests.entries()) {
      success(await commands.createVmRequest(requester, validRequest(projectId, `vis-${i}`)));
    }

    const projector = await startProjector({ sql: database.sql, projections: PROJECTIONS, log: () => {} });
    try {
      await projector.caughtUp();
    } finally {
      await projector.stop();
    }

    const rows = await database.db
      .select({ id: vmRequests.id, tenantId: vmRequests.tenantId, requesterId: vmRequests.requesterId })
      .from(vmRequests);
    expect(rows).toHaveLength(requests.length);
    const seen = new Map<string, number>();
    for (const principal of [alice, dave, bob, carol, frank, globexAlice, eve, stranger]) {
      const bySql = await database.db.select({ id: vmRequests.id }).from(vmRequests).where(visibleTo(principal));
      const inMemory = rows.filter((row) => canSeeVmRequest(principal, row)).map((row) => row.id);
      expect(bySql.map((row) => row.id).sort(), `${principal.userId}@${principal.tenantId}`).toEqual(inMemory.sort());
      seen.set(`${principal.userId}@${principal.tenantId}`, inMemory.length);
    }
    // Neither side may agree by seeing nothing (or everything).
    expect(Object.fromEntries(seen)).toEqual({
      [`alice@${TENANT}`]: 2,
      [`dave@${TENANT}`]: 1,
      [`bob@${TENANT}`]: 4,
      [`carol@${TENANT}`]: 4,
      [`frank@${TENANT}`]: 0,
      [`alice@${OTHER_TENANT}`]: 1,
      [`eve@${OTHER_TENANT}`]: 2,
      'mallory@initech': 0,
    });
  });
});
