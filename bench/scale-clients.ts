/**
 * The client side of bench/scale.ts, in child processes so that client work sits on no server's event loop and its
 * CPU is measured apart. Each process serves the instance it was given for the fan-out (up to 10,000 sockets: a
 * process's file limit is 20,000 here), and any process can drive HTTP load at several instances. Each message from
 * the parent runs one task and answers with its figures.
 */
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { RawHttpConnection } from './support/raw-http.ts';

export type ScaleTask =
  /**
   * `sockets` graphql-ws connections from `localAddress` (a 127.0.0.x of its own per process, so that 30,000
   * connections never run short of ephemeral ports), each with `perSocket` vmRequestUpdated subscriptions of one
   * request; answers 'subscribed' once every one has the request's first state.
   */
  | { kind: 'subscribe'; wsUrl: string; token: string; requestId: string; sockets: number; perSocket: number; localAddress: string }
  /** Answers 'delivered' with the epoch time (ms) each subscriber saw the request APPROVED, once all have or after `waitMs`. */
  | { kind: 'collect'; waitMs: number }
  | { kind: 'unsubscribe' }
  /** createVmRequest from `connections` loops (connection i to urls[i % urls.length]), for `seconds` after 1 s of warm-up. */
  | { kind: 'mutations'; urls: string[]; tokens: string[]; projectIds: string[]; connections: number; seconds: number; prefix: string }
  /** One of `queries` after another from each of `connections` loops, as mutations spread them. */
  | { kind: 'queries'; urls: string[]; connections: number; seconds: number; queries: { body: string; token: string }[] };

export type ScaleReply =
  | { kind: 'subscribed'; subscribers: number }
  | { kind: 'delivered'; at: number[]; expected: number }
  | { kind: 'unsubscribed' }
  | { kind: 'rate'; perSecond: number; perUrl: number[]; failures: number; firstFailure?: string; count: number }
  | { kind: 'error'; message: string };

const UPDATED = `subscription($id: ID!) { vmRequestUpdated(id: $id) { id status version } }`;
const CREATE = `mutation($input: CreateVmRequestInput!) { createVmRequest(input: $input) { __typename } }`;

/** Milliseconds since the epoch with sub-millisecond precision: comparable between processes on one machine. */
const epochNow = (): number => performance.timeOrigin + performance.now();

let clients: Client[] = [];
let delivered: number[] = [];
let expected = 0;
let allDelivered: () => void = () => {};

const connect = (wsUrl: string, token: string, Socket: unknown): Promise<Client> =>
  new Promise((resolve, reject) => {
    const client = createClient({
      url: wsUrl,
      webSocketImpl: Socket,
      connectionParams: { authorization: `Bearer ${token}` },
      lazy: false,
      retryAttempts: 0,
      keepAlive: 0,
      // The instances stop at the end of a run: a closed socket then is expected, not worth a screenful of output.
      onNonLazyError: () => {},
      on: { connected: () => resolve(client), closed: (event) => reject(new Error(`closed: ${JSON.stringify(event)}`)) },
    });
  });

async function subscribe(task: Extract<ScaleTask, { kind: 'subscribe' }>): Promise<ScaleReply> {
  const { localAddress } = task;
  // graphql-ws constructs the socket itself with (url, protocol): the source address goes in through a subclass.
  class LocalWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { localAddress });
    }
  }
  expected = task.sockets * task.perSocket;
  delivered = [];
  let initial = 0;
  let allInitial: () => void = () => {};
  const initialDone = new Promise<void>((resolve) => (allInitial = resolve));
  allDelivered = () => {};
  // In batches: 10,000 handshakes at once would be a connection storm, not what the benchmark measures.
  for (let i = 0; i < task.sockets; i += 100) {
    const batch = Math.min(100, task.sockets - i);
    const opened = await Promise.all(Array.from({ length: batch }, () => connect(task.wsUrl, task.token, LocalWebSocket)));
    clients.push(...opened);
    for (const client of opened) {
      for (let j = 0; j < task.perSocket; j++) {
        client.subscribe<{ vmRequestUpdated: { status: string } }>(
          { query: UPDATED, variables: { id: task.requestId } },
          {
            next: (result) => {
              const status = result.data?.vmRequestUpdated.status;
              if (status === 'PENDING' && ++initial === expected) allInitial();
              if (status === 'APPROVED') {
                delivered.push(epochNow());
                if (delivered.length === expected) allDelivered();
              }
            },
            error: () => {},
            complete: () => {},
          },
        );
      }
    }
  }
  await initialDone;
  return { kind: 'subscribed', subscribers: expected };
}

async function collect(task: Extract<ScaleTask, { kind: 'collect' }>): Promise<ScaleReply> {
  if (delivered.length < expected) {
    const all = new Promise<void>((resolve) => (allDelivered = resolve));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, task.waitMs)))]);
    clearTimeout(timer);
  }
  return { kind: 'delivered', at: delivered, expected };
}

async function unsubscribe(): Promise<ScaleReply> {
  await Promise.all(clients.map((client) => client.dispose()));
  clients = [];
  return { kind: 'unsubscribed' };
}

/**
 * Closed-loop requests, each loop on its own keep-alive connection through a minimal HTTP/1.1 client
 * (support/raw-http.ts), so that the load generator takes as little of the shared cores as it can.
 */
async function drive(
  urls: string[],
  connectionCount: number,
  seconds: number,
  next: (i: number) => { body: string; header: string[] },
  ok: (body: string) => boolean,
): Promise<ScaleReply> {
  const connections = Array.from({ length: connectionCount }, (_, i) => ({ url: i % urls.length, http: new RawHttpConnection(new URL(urls[i % urls.length]!)) }));
  const perUrl = urls.map(() => 0);
  let done = 0;
  let failures = 0;
  let firstFailure: string | undefined;
  let seq = 0;
  const loop = async (connection: (typeof connections)[number], deadline: number, count: boolean) => {
    while (performance.now() < deadline) {
      const request = next(seq++);
      const answer = await connection.http.post(request.body, request.header);
      if (!count) continue;
      if (answer.status === 200 && ok(answer.body)) {
        done++;
        perUrl[connection.url]!++;
      } else {
        failures++;
        firstFailure ??= `${answer.status} ${answer.body.slice(0, 300)}`;
      }
    }
  };
  try {
    const warm = performance.now() + 1000;
    await Promise.all(connections.map((connection) => loop(connection, warm, false)));
    const start = performance.now();
    const deadline = start + seconds * 1000;
    await Promise.all(connections.map((connection) => loop(connection, deadline, true)));
    const elapsed = (performance.now() - start) / 1000;
    return { kind: 'rate', perSecond: done / elapsed, perUrl: perUrl.map((n) => n / elapsed), failures, ...(firstFailure ? { firstFailure } : {}), count: seq };
  } finally {
    for (const connection of connections) connection.http.close();
  }
}

function mutations(task: Extract<ScaleTask, { kind: 'mutations' }>): Promise<ScaleReply> {
  const headers = task.tokens.map((token) => [`Authorization: Bearer ${token}`]);
  return drive(
    task.urls,
    task.connections,
    task.seconds,
    (i) => {
      const user = i % task.tokens.length;
      const input = { projectId: task.projectIds[user % task.projectIds.length], vmName: `${task.prefix}-${i}`, size: 'M', justification: 'Scale benchmark request' };
      return { body: JSON.stringify({ query: CREATE, variables: { input } }), header: headers[user]! };
    },
    (body) => body.includes('"CreateVmRequestPayload"'),
  );
}

function queries(task: Extract<ScaleTask, { kind: 'queries' }>): Promise<ScaleReply> {
  const prepared = task.queries.map((query) => ({ body: query.body, header: [`Authorization: Bearer ${query.token}`] }));
  return drive(
    task.urls,
    task.connections,
    task.seconds,
    (i) => prepared[i % prepared.length]!,
    // Data and no errors: a query answered with an error is a failure, not a fast read.
    (body) => body.startsWith('{"data":{') && !body.includes('"errors"'),
  );
}

if (process.send) {
  // Whatever happened to the benchmark, its clients do not outlive it.
  process.on('disconnect', () => process.exit(0));
  const send = (reply: ScaleReply) => process.send!(reply);
  process.on('message', (task: ScaleTask | { kind: 'exit' }) => {
    if (task.kind === 'exit') process.exit(0);
    const running =
      task.kind === 'subscribe'
        ? subscribe(task)
        : task.kind === 'collect'
          ? collect(task)
          : task.kind === 'unsubscribe'
            ? unsubscribe()
            : task.kind === 'mutations'
              ? mutations(task)
              : queries(task);
    running.then(send, (error: unknown) => send({ kind: 'error', message: error instanceof Error ? error.message : String(error) }));
  });
}
