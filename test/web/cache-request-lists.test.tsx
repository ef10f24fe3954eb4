import { type AnyVariables, Client, fetchExchange, mapExchange, type OperationResult, subscriptionExchange, type TypedDocumentNode } from '@urql/core';
import { cacheExchange, type UpdatesConfig } from '@urql/exchange-graphcache';
import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import { type Client as WsClient } from 'graphql-ws';
import { pipe, subscribe } from 'wonka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MyRequestsQuery as ListData, MyRequestsQueryVariables as ListVariables } from '../../web/src/gql/graphql.ts';
import { cacheConfig, portalCache } from '../../web/src/graphql/cache.ts';
import { combineUpdates } from '../../web/src/graphql/combine-updates.ts';
import { MY_REQUESTS_PAGE, MyRequestsQuery } from '../../web/src/graphql/my-requests.ts';
import { ApprovalQueueChanges, PendingApprovalsQuery, QUEUE_PAGE } from '../../web/src/graphql/pending-approvals.ts';
import { pendingApprovalsUpdates } from '../../web/src/graphql/pending-approvals-updates.ts';
import { projectUpdates } from '../../web/src/graphql/project-updates.ts';
import { PROJECT_REQUESTS_PAGE, ProjectPageQuery } from '../../web/src/graphql/projects.ts';
import { requestListUpdates } from '../../web/src/graphql/request-list-updates.ts';
import { resumableSubscriptions } from '../../web/src/graphql/resumable.ts';
import { PortalChanges } from '../../web/src/live/live-changes.tsx';
import { ApproveVmRequestDocument, CancelVmRequestDocument, CreateProjectDocument } from '../e2e/generated/graphql.ts';
import { dataOf, http, wsClient } from '../e2e/graphql-clients.ts';
import { createRequest, setupTenant, type Tenant } from '../e2e/graphql-fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// The request lists' cache updates (web/src/graphql/request-list-updates.ts) with the portal's real client and cache
// config against a real server: the session feed's changes land in the cache, and each list the cache then returns
// must be what the server returns for the same query, without the list having been fetched again (or, where the cache
// cannot decide, after fetching just that list again).

// How long to wait for what the server sends: generous, as the machine may be busy (a budget, not a timing asserted).
const POLL = { timeout: 30_000 };

let server: TestServer;
let tenant: Tenant;
const sockets: WsClient[] = [];
const stops: (() => void)[] = [];

beforeAll(async () => {
  server = await startTestServer();
  tenant = await setupTenant(server);
});
afterAll(async () => {
  for (const stop of stops) stop();
  for (const socket of sockets) await socket.dispose();
  await server?.close();
});

interface Portal {
  client: Client;
  /** The list queries this client sent to the server (cache misses and refetches). */
  listFetches: ListVariables[];
  /** Every request the session feed delivered, as `id@version`. */
  delivered: string[];
}

/**
 * The portal's client as client.ts builds it (cache, HTTP, graphql-ws), for one user, with its feed running. `updates`
 * replaces cache.ts's updaters (the same ones combined in another order), everything else of the cache kept.
 */
async function portalFor(token: string, updates?: UpdatesConfig): Promise<Portal> {
  const ws = wsClient(server.wsUrl, token, { lazy: false });
  sockets.push(ws);
  const listFetches: ListVariables[] = [];
  const client = new Client({
    url: server.url,
    exchanges: [
      updates ? cacheExchange({ ...cacheConfig, updates }) : portalCache(),
      mapExchange({
        onOperation(operation) {
          if (operation.kind === 'query' && operationName(operation.query) === 'MyRequests') listFetches.push(operation.variables as ListVariables);
        },
      }),
      fetchExchange,
      subscriptionExchange({ forwardSubscription: resumableSubscriptions(ws) }),
    ],
    fetchOptions: { headers: { authorization: `Bearer ${token}` } },
    requestPolicy: 'cache-first',
  });
  const delivered: string[] = [];
  await onServer(() =>
    pipe(
      client.subscription(PortalChanges, { since: null }),
      subscribe((result) => {
        const request = result.data?.vmRequestChanges.vmRequest;
        if (request) delivered.push(`${request.id}@${request.version}`);
      }),
    ),
  );
  return { client, listFetches, delivered };
}

/**
 * Starts a subscription and waits until the server's feed holds it. A feed without `since` starts with the next
 * change the server hands out: a request created before then may never reach it, or (still on its way through the
 * projector) may, so a test knows what a feed gets only from this point on.
 */
async function onServer(start: () => { unsubscribe: () => void }): Promise<void> {
  const subscribers = server.services.live.subscriberCount();
  stops.push(start().unsubscribe);
  await expect.poll(() => server.services.live.subscriberCount(), POLL).toBeGreaterThan(subscribers);
}

// The cache sends its own copy of a document (with __typename added), so operations are told apart by name.
const operationName = (document: DocumentNode): string | undefined =>
  (document.definitions.find((definition) => definition.kind === 'OperationDefinition') as OperationDefinitionNode | undefined)?.name?.value;

/** A query kept active as a page keeps it (so graphcache refetches it when it is dropped); returns its latest data. */
async function watchQuery<D, V extends AnyVariables>(portal: Portal, query: TypedDocumentNode<D, V>, variables: V): Promise<() => D | undefined> {
  let latest: OperationResult<D, V> | undefined;
  const watcher = pipe(
    portal.client.query(query, variables),
    subscribe((result) => {
      latest = result;
    }),
  );
  stops.push(watcher.unsubscribe);
  await expect.poll(() => latest?.data, POLL).toBeDefined();
  return () => latest?.data ?? undefined;
}

const watch = (portal: Portal, filter: ListVariables['filter']) => watchQuery(portal, MyRequestsQuery, { first: MY_REQUESTS_PAGE, after: null, filter });

/** What a list shows: its rows (id and status, in order) and its counts. */
const shown = (data: ListData | undefined) =>
  data && {
    rows: data.vmRequests.edges.map(({ node }) => `${node.vmName}:${node.status}`),
    totalCount: data.vmRequests.totalCount,
    statusCounts: data.vmRequests.statusCounts.map(({ status, count }) => `${status}=${count}`),
  };

async function serverList(token: string, filter: ListVariables['filter']) {
  return shown(dataOf(await http(server.url, token, MyRequestsQuery, { first: MY_REQUESTS_PAGE, after: null, filter })));
}

/** Waits until the feed delivered the request at this version (the cache has written it by then). */
async function deliveredTo(portal: Portal, request: { id: string; version: number }) {
  await expect.poll(() => portal.delivered, POLL).toContain(`${request.id}@${request.version}`);
}

async function otherProject(): Promise<string> {
  const created = dataOf(await http(server.url, tenant.adminToken, CreateProjectDocument, { input: { name: `Other ${tenant.tenant}` } })).createProject;
  if (created.__typename !== 'CreateProjectPayload') throw new Error(JSON.stringify(created));
  return created.project.id;
}

describe('request lists in the cache follow the live feed', () => {
  it("a request created elsewhere joins the lists it matches, a cancel moves it between status lists, and counts follow", async () => {
    const alice = await portalFor(tenant.aliceToken);
    // The first request is in every list loaded below.
    const first = await createRequest(server, tenant.aliceToken, tenant.projectId, { vmName: 'cache-db-01' });
    await deliveredTo(alice, first);

    const filters = {
      all: { mine: true },
      pending: { mine: true, status: ['PENDING' as const] },
      cancelled: { mine: true, status: ['CANCELLED' as const] },
      web: { mine: true, search: 'WEB' },
      thisProject: { mine: true, projectId: tenant.projectId },
      otherProject: { mine: true, projectId: await otherProject() },
    };
    const lists = Object.fromEntries(await Promise.all(Object.entries(filters).map(async ([name, filter]) => [name, await watch(alice, filter)] as const)));
    const fetchesBefore = alice.listFetches.length;

    const web = await createRequest(server, tenant.aliceToken, tenant.projectId, { vmName: 'cache-web-01' });
    await deliveredTo(alice, web);
    for (const [name, filter] of Object.entries(filters)) {
      expect(shown(lists[name]!()), name).toEqual(await serverList(tenant.aliceToken, filter));
    }
    expect(shown(lists['all']!())?.rows).toEqual(['cache-web-01:PENDING', 'cache-db-01:PENDING']);
    expect(shown(lists['web']!())?.rows).toEqual(['cache-web-01:PENDING']);

    const cancelled = dataOf(await http(server.url, tenant.aliceToken, CancelVmRequestDocument, { input: { id: first.id, reason: 'Not needed' } })).cancelVmRequest;
    if (cancelled.__typename !== 'CancelVmRequestPayload') throw new Error(JSON.stringify(cancelled));
    await deliveredTo(alice, cancelled.vmRequest);
    for (const [name, filter] of Object.entries(filters)) {
      expect(shown(lists[name]!()), name).toEqual(await serverList(tenant.aliceToken, filter));
    }
    expect(shown(lists['pending']!())?.rows).toEqual(['cache-web-01:PENDING']);
    expect(shown(lists['cancelled']!())?.rows).toEqual(['cache-db-01:CANCELLED']);
    // Every list was edited in the cache: none was fetched again.
    expect(alice.listFetches.slice(fetchesBefore)).toEqual([]);
  });

  it("an admin's own list ignores others' requests from the tenant-wide feed, while the tenant list takes them", async () => {
    const admin = await portalFor(tenant.adminToken);
    const warmUp = await createRequest(server, tenant.adminToken, tenant.projectId, { vmName: 'admin-own-01' });
    await deliveredTo(admin, warmUp);
    const mine = await watch(admin, { mine: true });
    const tenantWide = await watch(admin, {});
    const fetchesBefore = admin.listFetches.length;

    const bobs = await createRequest(server, tenant.bobToken, tenant.projectId, { vmName: 'bobs-vm-01' });
    await deliveredTo(admin, bobs);
    expect(shown(mine())).toEqual(await serverList(tenant.adminToken, { mine: true }));
    expect(shown(mine())?.rows).not.toContain('bobs-vm-01:PENDING');
    expect(shown(tenantWide())).toEqual(await serverList(tenant.adminToken, {}));
    expect(shown(tenantWide())?.rows[0]).toBe('bobs-vm-01:PENDING');
    expect(admin.listFetches.slice(fetchesBefore)).toEqual([]);
  });

  it('a change to a request the cache never held drops only the lists it may concern, which are fetched again', async () => {
    // Created before this client exists, and handed out by the server's feed (to another session) before this client's
    // feed starts, so that feed starts after it: the cache never sees its PENDING version.
    const observer = await portalFor(tenant.adminToken);
    const unseen = await createRequest(server, tenant.bobToken, tenant.projectId, { vmName: 'unseen-01' });
    await deliveredTo(observer, unseen);
    const bob = await portalFor(tenant.bobToken);
    const warmUp = await createRequest(server, tenant.bobToken, tenant.projectId, { vmName: 'bob-warm-01' });
    await deliveredTo(bob, warmUp);
    const approvedList = await watch(bob, { mine: true, status: ['APPROVED'] });
    const otherName = await watch(bob, { mine: true, search: 'warm' });
    const fetchesBefore = bob.listFetches.length;

    const approved = dataOf(
      await http(server.url, tenant.otherAdminToken, ApproveVmRequestDocument, { input: { id: unseen.id, expectedVersion: unseen.version } }),
    ).approveVmRequest;
    if (approved.__typename !== 'ApproveVmRequestPayload') throw new Error(JSON.stringify(approved));
    await deliveredTo(bob, approved.vmRequest);
    expect(bob.delivered).not.toContain(`${unseen.id}@${unseen.version}`);

    // Whether (and under which status) the APPROVED list counted it before cannot be known: that list is read again.
    await expect.poll(() => shown(approvedList()), POLL).toEqual(await serverList(tenant.bobToken, { mine: true, status: ['APPROVED'] }));
    expect(shown(approvedList())?.rows).toEqual(['unseen-01:APPROVED']);
    expect(bob.listFetches.slice(fetchesBefore).map((variables) => variables.filter)).toEqual([{ mine: true, status: ['APPROVED'] }]);
    // A list whose search the request does not match was left alone.
    expect(shown(otherName())).toEqual(await serverList(tenant.bobToken, { mine: true, search: 'warm' }));
  });
});

type Updaters = Record<'pendingApprovalsUpdates' | 'projectUpdates' | 'requestListUpdates', UpdatesConfig>;
const UPDATERS: Updaters = { pendingApprovalsUpdates, projectUpdates, requestListUpdates };
const orders = (names: readonly (keyof Updaters)[]): (keyof Updaters)[][] =>
  names.length <= 1 ? [[...names]] : names.flatMap((first) => orders(names.filter((name) => name !== first)).map((rest) => [first, ...rest]));

// The approvals queue's and the project page's updaters write their lists back during the same result's write, the
// request in them: whichever runs first, the request lists must still see what that result changed.
describe("the request lists' updaters compose with the approvals queue's and the project page's, in any order", () => {
  it.each(orders(Object.keys(UPDATERS) as (keyof Updaters)[]).map((order) => [order.join(', '), order] as const))(
    '%s: a new request joins the lists, the queue and its project page; its approval moves it; no request list fetched again',
    async (_name, order) => {
      const own = await setupTenant(server);
      const admin = await portalFor(own.adminToken, combineUpdates(...order.map((name) => UPDATERS[name])));
      // The approvals page's own feed, which brings a request with everything a queue row shows.
      const queued: string[] = [];
      await onServer(() =>
        pipe(
          admin.client.subscription(ApprovalQueueChanges, { since: null }),
          subscribe((result) => {
            const request = result.data?.vmRequestChanges.vmRequest;
            if (request) queued.push(`${request.id}@${request.version}`);
          }),
        ),
      );
      const bothFeeds = async (request: { id: string; version: number }) => {
        await deliveredTo(admin, request);
        await expect.poll(() => queued, POLL).toContain(`${request.id}@${request.version}`);
      };
      const warmUp = await createRequest(server, own.adminToken, own.projectId, { vmName: 'compose-warm-01' });
      await bothFeeds(warmUp);

      const filters = {
        mine: { mine: true },
        pending: { mine: true, status: ['PENDING' as const] },
        approved: { mine: true, status: ['APPROVED' as const] },
        tenant: {},
      };
      const lists = Object.fromEntries(await Promise.all(Object.entries(filters).map(async ([name, filter]) => [name, await watch(admin, filter)] as const)));
      const queue = await watchQuery(admin, PendingApprovalsQuery, { first: QUEUE_PAGE });
      const projectPage = await watchQuery(admin, ProjectPageQuery, { id: own.projectId, first: PROJECT_REQUESTS_PAGE });
      const queueRows = () => queue()?.pendingApprovals.edges.map(({ node }) => `${node.vmName}:${node.status}`);
      const projectRows = () => projectPage()?.project?.vmRequests.edges.map(({ node }) => `${node.vmName}:${node.status}`);
      const listsMatchTheServer = async () => {
        for (const [name, filter] of Object.entries(filters)) {
          expect(shown(lists[name]!()), name).toEqual(await serverList(own.adminToken, filter));
        }
      };
      const fetchesBefore = admin.listFetches.length;

      const created = await createRequest(server, own.adminToken, own.projectId, { vmName: 'compose-web-01' });
      await bothFeeds(created);
      await listsMatchTheServer();
      expect(shown(lists['mine']!())?.rows).toEqual(['compose-web-01:PENDING', 'compose-warm-01:PENDING']);
      expect(shown(lists['approved']!())?.rows).toEqual([]);
      await expect.poll(queueRows, POLL).toEqual(['compose-warm-01:PENDING', 'compose-web-01:PENDING']);
      expect(projectRows()).toEqual(['compose-web-01:PENDING', 'compose-warm-01:PENDING']);

      const approved = dataOf(
        await http(server.url, own.otherAdminToken, ApproveVmRequestDocument, { input: { id: created.id, expectedVersion: created.version } }),
      ).approveVmRequest;
      if (approved.__typename !== 'ApproveVmRequestPayload') throw new Error(JSON.stringify(approved));
      await bothFeeds(approved.vmRequest);
      await listsMatchTheServer();
      expect(shown(lists['pending']!())?.rows).toEqual(['compose-warm-01:PENDING']);
      expect(shown(lists['approved']!())?.rows).toEqual(['compose-web-01:APPROVED']);
      expect(queueRows()).toEqual(['compose-warm-01:PENDING']);
      expect(projectRows()).toEqual(['compose-web-01:APPROVED', 'compose-warm-01:PENDING']);
      expect(admin.listFetches.slice(fetchesBefore)).toEqual([]);
    },
  );
});
