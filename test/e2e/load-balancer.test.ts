import { randomBytes } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mintToken } from '../../src/http/auth.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { activeSubscriptions, type Instance, killInstance, startInstance, stopInstance } from '../support/instances.ts';
import { type Nginx, nginxForTests, startNginx } from '../support/nginx.ts';
import { alice, tokenClaims } from '../support/personas.ts';
import { CreateVmRequestDocument, ProjectsDocument, VmRequestChangesDocument } from './generated/graphql.ts';
import { dataOf, http, type Received, subscribeSse, subscribeWs, wsClient } from './graphql-clients.ts';

// The load balancer of docker-compose.scale.yml, for real: the machine's nginx runs deploy/nginx/nginx.conf (with
// Docker's DNS name replaced by the instances' addresses, test/support/nginx.ts) and the proxy rules it includes, in
// front of three `npm start` processes on one database. Clients talk to nginx only, except to make a change through
// one chosen instance or to read an instance's /metrics (how the test knows which instance served what).
const nginxBinary = nginxForTests();
const secret = randomBytes(32).toString('base64url');

let database: TestDatabase;
let instances: Instance[] = [];
let nginx: Nginx;
const clients: Client[] = [];
const subscriptions: Received<unknown>[] = [];

/** How long a read model or a subscriber may take to follow a write on a busy machine. */
const POLL = { timeout: 20_000, interval: 100 };

async function metrics(instance: Instance): Promise<string> {
  return (await fetch(new URL('/metrics', instance.url))).text();
}

/** The sum of a metric's samples whose labels contain `labels` (e.g. `route="/graphql"`). */
function sample(text: string, name: string, labels = ''): number {
  let sum = 0;
  for (const match of text.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, 'gm'))) {
    if ((match[1] ?? '').includes(labels)) sum += Number(match[2]);
  }
  return sum;
}

const graphqlRequests = async (instance: Instance) => sample(await metrics(instance), 'dvmm_http_requests_total', 'route="/graphql"');
const websockets = async (instance: Instance) => sample(await metrics(instance), 'dvmm_websocket_connections');
const perInstance = (read: (instance: Instance) => Promise<number>, among = instances) => Promise.all(among.map(read));

/** The one instance whose `read` grew past `before` (polled: it may take a moment to register). */
async function instanceThatGrew(read: (instance: Instance) => Promise<number>, before: number[], among = instances): Promise<Instance> {
  const grown = await vi.waitFor(async () => {
    const now = await perInstance(read, among);
    const which = among.filter((_, index) => now[index]! > before[index]!);
    expect(which, 'exactly one instance with one more').toHaveLength(1);
    return which[0]!;
  }, POLL);
  return grown;
}

const hostOf = (instance: Instance) => new URL(instance.url).host;
const token = () => mintToken(tokenClaims(alice), { secret });
const lbUrl = () => `${nginx.origin}/graphql`;
const lbWsUrl = () => lbUrl().replace('http:', 'ws:');

async function projectId(url: string): Promise<string> {
  return vi.waitFor(async () => {
    const projects = dataOf(await http(url, await token(), ProjectsDocument, {})).projects.edges;
    expect(projects, 'the demo projects (seeded at start)').not.toHaveLength(0);
    return projects[0]!.node.id;
  }, POLL);
}

async function createRequest(url: string, vmName: string): Promise<string> {
  const result = dataOf(
    await http(url, await token(), CreateVmRequestDocument, {
      input: { projectId: await projectId(url), vmName, size: 'S', justification: 'Through the load balancer: end-to-end check' },
    }),
  ).createVmRequest;
  if (result.__typename !== 'CreateVmRequestPayload') throw new Error(`createVmRequest answered ${JSON.stringify(result)}`);
  return result.vmRequest.id;
}

const hasRequest = (id: string) => (values: { vmRequestChanges: { vmRequest: { id: string } } }[]) =>
  values.some((value) => value.vmRequestChanges.vmRequest.id === id);

describe.skipIf(nginxBinary === null)('nginx (deploy/nginx) in front of three instances on one database', () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    const env = { DATABASE_URL: database.url, JWT_SECRET: secret, DVMM_DEMO_SEED: 'true', NODE_ENV: 'development', PROVISIONING_ENABLED: 'false' };
    instances = await Promise.all(['a', 'b', 'c'].map((name) => startInstance(name, env)));
    nginx = await startNginx(nginxBinary!, instances.map(hostOf));
  });

  afterAll(async () => {
    for (const subscription of subscriptions) subscription.unsubscribe();
    for (const client of clients) await client.dispose();
    await nginx?.stop();
    await Promise.all(instances.map((instance) => stopInstance(instance)));
    await database?.close();
  });

  it('spreads GraphQL over HTTP across all three instances', async () => {
    await projectId(lbUrl());
    const before = await perInstance(graphqlRequests);
    const requests = 30;
    for (let i = 0; i < requests; i++) {
      const result = await http(lbUrl(), await token(), ProjectsDocument, {});
      expect(result.status).toBe(200);
      expect(dataOf(result).projects.edges).not.toHaveLength(0);
    }
    const after = await perInstance(graphqlRequests);
    const served = after.map((count, index) => count - before[index]!);
    for (const [index, count] of served.entries()) expect(count, `requests served by ${instances[index]!.name}`).toBeGreaterThan(0);
    expect(served.reduce((sum, count) => sum + count, 0)).toBe(requests);
  });

  it('keeps /metrics inside: nginx answers 404 for it', async () => {
    const response = await fetch(`${nginx.origin}/metrics`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('dvmm_');
  });

  let wsHome: Instance;
  let wsChanges: Received<{ vmRequestChanges: { vmRequest: { id: string } } }>;

  it('upgrades a graphql-ws connection, whose subscription receives a change made through another instance', async () => {
    const before = await perInstance(websockets);
    const subscribersBefore = await perInstance(activeSubscriptions);
    const client = wsClient(lbWsUrl(), await token());
    clients.push(client);
    wsChanges = subscribeWs(client, VmRequestChangesDocument, {});
    subscriptions.push(wsChanges);
    wsHome = await instanceThatGrew(websockets, before);
    // Subscribed once its instance counts one more subscriber (a change made before would not be sent).
    await instanceThatGrew(activeSubscriptions, [subscribersBefore[instances.indexOf(wsHome)]!], [wsHome]);

    const other = instances.find((instance) => instance !== wsHome)!;
    const id = await createRequest(other.url, 'lb-ws-01');
    const values = await wsChanges.waitUntil(hasRequest(id), POLL.timeout);
    expect(values.find((value) => value.vmRequestChanges.vmRequest.id === id)?.vmRequestChanges.vmRequest).toMatchObject({ vmName: 'lb-ws-01' });
    expect(wsChanges.completed).toBe(false);
  });

  // The rules turn proxy_buffering off so that nginx reads an event stream no faster than the client takes it (the
  // instance sees a slow subscriber's backpressure instead of nginx spooling its events to disk). nginx passes small
  // events on at once either way, so this shows SSE through the proxy, not that setting.
  it('streams SSE: a change made through another instance arrives on the open stream', async () => {
    const before = await perInstance(activeSubscriptions);
    const changes = subscribeSse(lbUrl(), await token(), VmRequestChangesDocument, {});
    subscriptions.push(changes);
    const sseHome = await instanceThatGrew(activeSubscriptions, before);

    const other = instances.find((instance) => instance !== sseHome)!;
    const id = await createRequest(other.url, 'lb-sse-01');
    await changes.waitUntil(hasRequest(id), POLL.timeout);
    expect(changes.errors).toEqual([]);
    expect(changes.completed).toBe(false);
  });

  it('routes around an instance killed with SIGKILL: its WebSocket closes, requests succeed, a reconnect gets another instance', async () => {
    const victim = wsHome;
    const survivors = instances.filter((instance) => instance !== victim);
    await killInstance(victim);

    // nginx closes the client's side of a WebSocket whose instance went away.
    await wsChanges.ended(POLL.timeout);

    for (let i = 0; i < 20; i++) {
      const result = await http(lbUrl(), await token(), ProjectsDocument, {});
      expect(result.status, `request ${i} after the kill`).toBe(200);
      expect(dataOf(result).projects.edges).not.toHaveLength(0);
    }
    // nginx tried the killed instance (connection refused) and passed the same request on to another.
    expect(nginx.accessLog()).toMatch(new RegExp(`upstream=${hostOf(victim).replaceAll('.', '\\.')}, [\\d.:]+ upstream_status=502, 200`));

    const before = await perInstance(websockets, survivors);
    const subscribersBefore = await perInstance(activeSubscriptions, survivors);
    const client = wsClient(lbWsUrl(), await token());
    clients.push(client);
    const changes = subscribeWs(client, VmRequestChangesDocument, {});
    subscriptions.push(changes);
    const newHome = await instanceThatGrew(websockets, before, survivors);
    await instanceThatGrew(activeSubscriptions, [subscribersBefore[survivors.indexOf(newHome)]!], [newHome]);

    const id = await createRequest(lbUrl(), 'lb-after-kill-01');
    await changes.waitUntil(hasRequest(id), POLL.timeout);
  });
});
