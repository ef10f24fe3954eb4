import { randomBytes } from 'node:crypto';
import { describe, expect, vi } from 'vitest';
import { createCommandHandlers, readVmRequest } from '../../src/commands/index.ts';
import { parseConfig } from '../../src/config/index.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { systemPrincipal } from '../../src/domain/index.ts';
import { buildSchema, createLiveFeed } from '../../src/graphql/index.ts';
import { idOf } from '../../src/graphql/ids.ts';
import { mintToken } from '../../src/http/auth.ts';
import { silentLogger } from '../../src/http/logger.ts';
import { createServer } from '../../src/http/server.ts';
import { startProvisioningFromEnv } from '../../src/provisioning/index.ts';
import { dbTest } from '../support/db-test.ts';
import { alice, bob, tokenClaims } from '../support/personas.ts';
import { postGraphQL } from '../support/server.ts';
import { success, validRequest } from './commands-fixtures.ts';

/**
 * main.ts builds one set of command handlers and hands it to the API, provisioning and the demo seed, so the process
 * has one project cache. Each part is given handlers with a clock of their own: an event stamped with another time
 * was decided by handlers the part built for itself.
 */
const PINNED = new Date('2031-02-03T04:05:06.000Z');
const pinnedHandlers = (store: Parameters<typeof createCommandHandlers>[0]) => createCommandHandlers(store, { now: () => PINNED });

describe('one set of command handlers, given to every part of the process', () => {
  dbTest('the GraphQL mutations decide with the handlers the server is given', async ({ database, store }) => {
    const secret = randomBytes(32).toString('base64url');
    const server = await createServer({
      services: {
        sql: database.sql,
        db: database.db,
        store,
        live: createLiveFeed({ sql: database.sql, db: database.db, store, log: () => {} }),
        commands: pinnedHandlers(store),
      },
      schema: buildSchema(),
      auth: { secret },
      port: 0,
      host: '127.0.0.1',
      logger: silentLogger,
    });
    try {
      const token = await mintToken({ ...tokenClaims(bob), expiresIn: '5m' }, { secret });
      const { body } = await postGraphQL(
        server.url,
        'mutation { createProject(input: { name: "Pinned" }) { __typename ... on CreateProjectPayload { project { id createdAt } } } }',
        { authorization: `Bearer ${token}` },
      );
      const result = (body.data as { createProject: { __typename: string; project: { id: string; createdAt: string } } }).createProject;
      expect(result.__typename).toBe('CreateProjectPayload');
      expect(result.project.createdAt).toBe(PINNED.toISOString());
      const [created] = await store.readStream(idOf(result.project.id, 'Project')!);
      expect(created!.metadata.occurredAt).toBe(PINNED.toISOString());
    } finally {
      await server.close();
    }
  });

  dbTest('the demo seed decides with the handlers it is given', async ({ store }) => {
    const seeded = await seedDemo(store, pinnedHandlers(store));
    for (const stream of [...seeded.projectIds, seeded.vmRequestId]) {
      for (const event of await store.readStream(stream)) expect(event.metadata.occurredAt).toBe(PINNED.toISOString());
    }
  });

  dbTest('the provisioning process decides with the handlers it is given', async ({ sql, store }) => {
    const commands = pinnedHandlers(store);
    const project = success(await commands.createProject(bob, { name: 'Provisioned' }));
    success(await commands.addProjectMember(bob, { projectId: project.id, userId: alice.userId, role: 'MEMBER' }));
    const request = success(await commands.createVmRequest(alice, validRequest(project.id, 'pinned-01')));
    success(await commands.approveVmRequest(bob, { id: request.id, expectedVersion: 1 }));

    // The same call main.ts makes, with a configuration parsed as main's is.
    const provisioning = await startProvisioningFromEnv({ sql, store, config: parseConfig({ PROVISIONING_STAGE_MS: '5' }), commands, log: () => {} });
    if (!provisioning) throw new Error('provisioning is enabled by default');
    try {
      await vi.waitFor(
        async () => {
          const read = success(await readVmRequest(store, systemPrincipal('acme'), request.id, { system: true }));
          expect(read.state.status).toBe('READY');
        },
        { timeout: 30_000, interval: 50 },
      );
    } finally {
      await provisioning.stop();
    }
    const events = await store.readStream(request.id);
    expect(events.map((e) => e.type)).toContain('VmRequestReady');
    for (const event of events) expect(event.metadata.occurredAt).toBe(PINNED.toISOString());
  });
});
