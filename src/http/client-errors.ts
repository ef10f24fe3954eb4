import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

// How long a refused connection is drained before it is closed, at most.
const DRAIN_MS = 2_000;
// A request line longer than this is why a head overflowed: its URL is too long (414), not its headers (431).
const LONG_REQUEST_LINE = 8 * 1024;

const MESSAGES: Record<number, string> = {
  400: 'The request is not valid HTTP.',
  408: 'The request took too long to arrive.',
  414: 'The URL is too long: send the operation in a POST body.',
  431: 'The request headers are too large.',
};

/**
 * The server's `clientError` handler: a request Node's parser refused gets an answer a client can read. Node's
 * default writes its answer and closes at once, which resets the connection while the client is still sending (a
 * 100 KB URL), and it answers a long URL with 431 like large headers. Here the URL gets 414, the answer goes out
 * with a FIN, and the rest of what the client sends is read and dropped until it closes (or DRAIN_MS), so the
 * answer arrives rather than a reset.
 */
export function answerClientError(
  error: Error & { code?: string; rawPacket?: Buffer },
  socket: Duplex,
  /** A response to an earlier request on this connection is under way: no answer can go between its bytes. */
  responding: boolean,
): void {
  // Node feeds later chunks to the failed parser again, each time raising this once more: answer the first only.
  socket.removeAllListeners('data');
  if (!socket.writable || responding || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const status = statusFor(error);
  const body = JSON.stringify({ error: MESSAGES[status] });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.on('data', () => {});
  socket.once('end', () => socket.destroy());
  setTimeout(() => socket.destroy(), DRAIN_MS).unref();
}

function statusFor(error: { code?: string; rawPacket?: Buffer }): number {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return isLongRequestLine(error.rawPacket) ? 414 : 431;
    case 'HPE_HEADERS_TIMEOUT':
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408;
    default:
      return 400;
  }
}

/** Whether the chunk that overflowed starts with a request line longer than LONG_REQUEST_LINE (or unfinished). */
function isLongRequestLine(raw: Buffer | undefined): boolean {
  if (!raw) return false;
  const head = raw.subarray(0, LONG_REQUEST_LINE + 2).toString('latin1');
  if (!/^[A-Z]+ \S/.test(head)) return false;
  const end = head.indexOf('\r\n');
  return end === -1 || end > LONG_REQUEST_LINE;
}
