import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Answers 408 and closes the connection when a request's body stops arriving: no byte for `idleMs` while part of
 * it is still due (a Content-Length larger than what the client sends, then silence). Node would wait for it up to
 * its requestTimeout of 5 minutes, holding the connection. A client that half-closes instead gets Node's 400 at
 * once. Progress is read from the socket's byte count, so a slow body that keeps coming is left alone, as is one the
 * server has not started reading (a large body waits in Node's buffer), and a complete body costs one timer that
 * finds nothing to do.
 */
export function guardBody(req: IncomingMessage, res: ServerResponse, idleMs: number): void {
  if (!hasBody(req)) return;
  const socket = req.socket;
  let seen = socket.bytesRead;
  const check = () => {
    if (req.complete || res.writableEnded || socket.destroyed) return;
    // Unread data buffered means the server is the one not reading (Node stops reading the socket while it waits).
    if (socket.bytesRead !== seen || req.readableLength > 0) {
      seen = socket.bytesRead;
      timer = setTimeout(check, idleMs);
      return;
    }
    if (!res.headersSent) {
      const body = JSON.stringify({ error: 'The request body stopped arriving before its Content-Length was reached.' });
      res.writeHead(408, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
      res.end(body, () => socket.destroy());
    } else {
      socket.destroy();
    }
  };
  let timer = setTimeout(check, idleMs);
  res.once('close', () => clearTimeout(timer));
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}
