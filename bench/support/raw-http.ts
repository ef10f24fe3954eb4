import { connect, type Socket } from 'node:net';

/**
 * One keep-alive HTTP/1.1 connection that sends POSTs one at a time and reads each response by its Content-Length:
 * a load generator's client (as wrk or autocannon), so that on a machine shared with the server under test the
 * client takes as little CPU as it can. Every request is still a whole HTTP request with its own headers and body;
 * the server cannot tell it from any other client's. A chunked or malformed response is an error, not a guess.
 */
export class RawHttpConnection {
  private readonly socket: Socket;
  private readonly ready: Promise<void>;
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (answer: RawAnswer) => void; reject: (error: Error) => void } | null = null;
  private failure: Error | null = null;

  constructor(private readonly url: URL) {
    this.socket = connect(Number(url.port || 80), url.hostname);
    this.socket.setNoDelay(true);
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      this.parse();
    });
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.fail(new Error('connection closed by the server')));
  }

  /** POST `body` (JSON) with these extra header lines (each "Name: value"); resolves with status and body. */
  async post(body: string, headerLines: readonly string[]): Promise<RawAnswer> {
    await this.ready;
    if (this.failure) throw this.failure;
    if (this.waiting) throw new Error('one request at a time per connection');
    const head =
      `POST ${this.url.pathname} HTTP/1.1\r\nHost: ${this.url.host}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n${headerLines.map((line) => `${line}\r\n`).join('')}\r\n`;
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(head + body);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private parse(): void {
    if (!this.waiting) return;
    const end = this.buffered.indexOf('\r\n\r\n');
    if (end === -1) return;
    const head = this.buffered.subarray(0, end).toString('latin1');
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
    if (!status || length === undefined) return this.fail(new Error(`unexpected response head: ${head.slice(0, 200)}`));
    const total = end + 4 + Number(length);
    if (this.buffered.length < total) return;
    const body = this.buffered.subarray(end + 4, total).toString('utf8');
    this.buffered = this.buffered.subarray(total);
    const { resolve } = this.waiting;
    this.waiting = null;
    resolve({ status, body });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(error);
  }
}

export interface RawAnswer {
  status: number;
  body: string;
}

/** Approves `requestId` at version 1 over `connection` and answers how long the answer took, in ms. */
export async function approveOnce(connection: RawHttpConnection, header: string[], requestId: string): Promise<number> {
  const sent = performance.now();
  const answer = await connection.post(
    JSON.stringify({
      query: 'mutation($input: ApproveVmRequestInput!) { approveVmRequest(input: $input) { __typename } }',
      variables: { input: { id: requestId, expectedVersion: 1 } },
    }),
    header,
  );
  const answeredMs = performance.now() - sent;
  if (!answer.body.includes('ApproveVmRequestPayload')) throw new Error(`the approval failed: ${answer.body}`);
  return answeredMs;
}
