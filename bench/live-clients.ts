/**
 * The client side of bench/live.ts, run in a child process so that client work neither sits on the server's event
 * loop nor counts in the server process's CPU and memory figures (both still share the machine's cores). Each
 * message from the parent runs one scenario and answers with its figures.
 */
import http from 'node:http';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { RawHttpConnection } from './support/raw-http.ts';

export type ClientTask =
  /** tokens[i] is a member of projectIds[i % projectIds.length]. */
  | { kind: 'latency'; url: string; wsUrl: string; tokens: string[]; projectIds: string[]; rate: number; seconds: number; warmupSeconds: number }
  | { kind: 'fanout'; url: string; wsUrl: string; subscriberToken: string; approverToken: string; requestId: string; sockets: number; perSocket: number }
  | { kind: 'mutations'; url: string; tokens: string[]; projectIds: string[]; connections: number; seconds: number };

export type ClientReply =
  | { kind: 'latency'; latenciesMs: number[]; sent: number; missing: number; failed: number; skipped: number }
  | { kind: 'subscribed'; subscribers: number }
  | { kind: 'fanout'; mutationMs: number; firstMs: number; lastMs: number; received: number }
  | { kind: 'mutations'; perSecond: number; failures: number; count: number }
  | { kind: 'disposed' }
  | { kind: 'error'; message: string };

const CREATE = `mutation($input: CreateVmRequestInput!) { createVmRequest(input: $input) { __typename } }`;
const APPROVE = `mutation($input: ApproveVmRequestInput!) { approveVmRequest(input: $input) { __typename } }`;
const CHANGES = `subscription { vmRequestChanges { cursor vmRequest { vmName status } } }`;
const UPDATED = `subscription($id: ID!) { vmRequestUpdated(id: $id) { id status version } }`;

/**
 * One GraphQL POST over node:http with keep-alive connections (at most 64 per server). Node's fetch costs the
 * client process 1.5 to 3 ms of CPU per request, which on a shared 2-core machine is taken from the server under
 * test; node:http is a real HTTP/1.1 client at a fraction of that.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const post = (url: string, token: string, query: string, variables: unknown): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const body = JSON.stringify({ query, variables });
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (error) {
            reject(new Error(`HTTP ${response.statusCode}: not JSON (${(error as Error).message})`));
          }
        });
        response.on('error', reject);
      },
    );
    request.on('error', (error) => reject(new Error(`POST ${url}: ${error.message}`)));
    request.end(body);
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const connect = (wsUrl: string, token: string): Promise<Client> =>
  new Promise((resolve, reject) => {
    const client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      lazy: false,
      retryAttempts: 0,
      keepAlive: 0,
      on: { connected: () => resolve(client), closed: (event) => reject(new Error(`closed: ${JSON.stringify(event)}`)) },
    });
  });

/** Open-loop createVmRequest at `rate` per second; latency = send -> the requester's subscriber sees it. */
async function latency(task: Extract<ClientTask, { kind: 'latency' }>): Promise<ClientReply> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const clients: Client[] = [];
  for (let i = 0; i < task.tokens.length; i += 50) {
    clients.push(...(await Promise.all(task.tokens.slice(i, i + 50).map((token) => connect(task.wsUrl, token)))));
  }
  /** BENCH_LIVE_TRACE=file: every sample as [sent at, latency] (ms), for looking at when the slow ones happened. */
  const trace: [number, number][] | null = process.env.BENCH_LIVE_TRACE ? [] : null;
  for (const client of clients) {
    client.subscribe<{ vmRequestChanges: { vmRequest: { vmName: string } } }>(
      { query: CHANGES },
      {
        next: (result) => {
          const name = result.data?.vmRequestChanges.vmRequest.vmName;
          const sent = name ? sentAt.get(name) : undefined;
          if (sent === undefined) return;
          sentAt.delete(name!);
          // Only requests sent in the measured window count: a warm-up request delivered late (the first ones
          // meet a cold server: JIT, first catch-up of each subscriber) is warm-up, whenever it arrives.
          if (name!.startsWith('m')) {
            latencies.push(performance.now() - sent);
            trace?.push([sent, performance.now() - sent]);
          }
        },
        error: () => {},
        complete: () => {},
      },
    );
  }
  await sleep(2000); // every subscribe message has been handled by then

  let seq = 0;
  let failed = 0;
  let skipped = 0;
  let inflight = 0;
  // Open loop: requests go out on schedule whether or not earlier ones have been answered (a server that cannot
  // keep up shows as latency), but never more than this many at once, so an overloaded server is not also flooded
  // with new connections; a request that would exceed it is counted as skipped.
  const MAX_IN_FLIGHT = 256;
  const run = async (seconds: number, prefix: string) => {
    const interval = 1000 / task.rate;
    const start = performance.now();
    const end = start + seconds * 1000;
    const pending: Promise<unknown>[] = [];
    for (let next = start; next < end; next += interval) {
      const wait = next - performance.now();
      if (wait > 1) await sleep(wait);
      if (inflight >= MAX_IN_FLIGHT) {
        skipped++;
        continue;
      }
      const user = seq % task.tokens.length;
      const vmName = `${prefix}${seq++}`;
      sentAt.set(vmName, performance.now());
      inflight++;
      pending.push(
        post(task.url, task.tokens[user]!, CREATE, {
          input: { projectId: task.projectIds[user % task.projectIds.length], vmName, size: 'S', justification: 'Latency benchmark request' },
        }).then(
          () => inflight--,
          () => {
            inflight--;
            failed++;
            sentAt.delete(vmName);
          },
        ),
      );
    }
    await Promise.all(pending);
  };
  await run(task.warmupSeconds, 'w');
  failed = 0;
  skipped = 0;

  latencies.length = 0;
  const before = seq;
  await run(task.seconds, 'm');
  await sleep(2000);
  const sent = seq - before;
  const missing = [...sentAt.keys()].filter((name) => name.startsWith('m')).length;
  await Promise.all(clients.map((client) => client.dispose()));
  if (trace && process.env.BENCH_LIVE_TRACE) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(process.env.BENCH_LIVE_TRACE, JSON.stringify(trace.map(([at, ms]) => [at - trace[0]![0], ms])));
  }
  return { kind: 'latency', latenciesMs: latencies, sent, missing, failed, skipped };
}

/** 10,000 vmRequestUpdated subscribers of one request; one approval; time until the last has APPROVED. */
async function fanout(task: Extract<ClientTask, { kind: 'fanout' }>, reply: (message: ClientReply) => void, go: Promise<void>): Promise<ClientReply> {
  const total = task.sockets * task.perSocket;
  let initial = 0;
  let received = 0;
  let first = 0;
  let last = 0;
  let start = 0;
  let allInitial: () => void = () => {};
  const initialDone = new Promise<void>((resolve) => (allInitial = resolve));
  let allApproved: () => void = () => {};
  const approvedDone = new Promise<void>((resolve) => (allApproved = resolve));
  const clients: Client[] = [];
  for (let i = 0; i < task.sockets; i += 50) {
    const batch = Math.min(50, task.sockets - i);
    clients.push(...(await Promise.all(Array.from({ length: batch }, () => connect(task.wsUrl, task.subscriberToken)))));
  }
  for (const client of clients) {
    for (let j = 0; j < task.perSocket; j++) {
      client.subscribe<{ vmRequestUpdated: { status: string } }>(
        { query: UPDATED, variables: { id: task.requestId } },
        {
          next: (result) => {
            const status = result.data?.vmRequestUpdated.status;
            if (status === 'PENDING' && ++initial === total) allInitial();
            if (status === 'APPROVED') {
              const now = performance.now();
              if (received === 0) first = now;
              last = now;
              if (++received === total) allApproved();
            }
          },
          error: () => {},
          complete: () => {},
        },
      );
    }
  }
  await initialDone;
  // The approval below would otherwise be this process's first HTTP request when phase 1 did not run: the time
  // measured would include setting up the HTTP client and its connection here, not the server's work.
  await post(task.url, task.approverToken, '{ __typename }', {});
  reply({ kind: 'subscribed', subscribers: total });
  await go;
  start = performance.now();
  await post(task.url, task.approverToken, APPROVE, { input: { id: task.requestId, expectedVersion: 1 } });
  const answered = performance.now();
  await Promise.race([approvedDone, sleep(30_000)]);
  const figures: ClientReply = { kind: 'fanout', mutationMs: answered - start, firstMs: first - start, lastMs: last - start, received };
  reply(figures);
  await Promise.all(clients.map((client) => client.dispose()));
  return { kind: 'disposed' };
}

/**
 * createVmRequest over HTTP from `connections` concurrent loops for `seconds`, each loop on its own keep-alive
 * connection through a minimal HTTP/1.1 client (support/raw-http.ts): node:http cost this process about 90 us of
 * CPU per request, taken from the server's two cores.
 */
async function mutations(task: Extract<ClientTask, { kind: 'mutations' }>): Promise<ClientReply> {
  let done = 0;
  let failures = 0;
  let seq = 0;
  const url = new URL(task.url);
  const connections = Array.from({ length: task.connections }, () => new RawHttpConnection(url));
  const authorization = task.tokens.map((token) => [`Authorization: Bearer ${token}`]);
  const loop = async (connection: RawHttpConnection, deadline: number, count: boolean) => {
    while (performance.now() < deadline) {
      const i = seq++;
      const user = i % task.tokens.length;
      const input = { projectId: task.projectIds[user % task.projectIds.length], vmName: `vm-${i}`, size: 'M', justification: 'Throughput benchmark request' };
      const answer = await connection.post(JSON.stringify({ query: CREATE, variables: { input } }), authorization[user]!);
      if (!count) continue;
      const result = answer.status === 200 ? (JSON.parse(answer.body) as { data?: { createVmRequest?: { __typename: string } } }) : {};
      if (result.data?.createVmRequest?.__typename === 'CreateVmRequestPayload') done++;
      else failures++;
    }
  };
  try {
    const warm = performance.now() + 1000;
    await Promise.all(connections.map((connection) => loop(connection, warm, false)));
    const start = performance.now();
    const deadline = start + task.seconds * 1000;
    await Promise.all(connections.map((connection) => loop(connection, deadline, true)));
    return { kind: 'mutations', perSecond: done / ((performance.now() - start) / 1000), failures, count: seq };
  } finally {
    for (const connection of connections) connection.close();
  }
}

if (process.send) {
  const send = (answer: ClientReply) => process.send!(answer);
  let release: () => void = () => {};
  process.on('message', (message: ClientTask | { kind: 'go' } | { kind: 'exit' }) => {
    if (message.kind === 'exit') process.exit(0);
    if (message.kind === 'go') return release();
    const go = new Promise<void>((resolve) => (release = resolve));
    const running =
      message.kind === 'latency' ? latency(message) : message.kind === 'fanout' ? fanout(message, send, go) : mutations(message);
    running.then(send, (error: unknown) => send({ kind: 'error', message: error instanceof Error ? error.message : String(error) }));
  });
}
