import http from 'node:http';
import https from 'node:https';
import { HypervisorError } from '../hypervisor-error.ts';
import { AbortedError } from '../sleep.ts';
import type { VsphereTls } from './settings.ts';

export interface SoapResponse {
  status: number;
  body: string;
  /** The session cookie the server set, if it set one. */
  sessionCookie: string | null;
}

export interface PostOptions {
  body: string;
  cookie: string | null;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** For messages: the method being called. */
  method: string;
}

export interface Transport {
  post(options: PostOptions): Promise<SoapResponse>;
  close(): void;
}

const SESSION_COOKIE = 'vmware_soap_session';

/**
 * POSTs SOAP envelopes to one endpoint over a keep-alive agent. Socket-level failures become CONNECTION_FAILED,
 * a call that outlives its own limit CONNECTION_TIMEOUT (both retried by provisioning), an aborted job AbortedError.
 * The certificate is checked against `tls.caPem` when given, else the system's CAs; never skipped unless `insecure`.
 */
export function createTransport(url: string, tls: VsphereTls): Transport {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const agent = secure
    ? new https.Agent({ keepAlive: true, rejectUnauthorized: !tls.insecure, ...(tls.caPem ? { ca: tls.caPem } : {}) })
    : new http.Agent({ keepAlive: true });
  const request = secure ? https.request : http.request;

  return {
    post: ({ body, cookie, timeoutMs, signal, method }) =>
      new Promise<SoapResponse>((resolve, reject) => {
        if (signal?.aborted) {
          reject(new AbortedError());
          return;
        }
        let settled = false;
        const finish = (error: Error | null, response?: SoapResponse) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          if (error) reject(error);
          else resolve(response as SoapResponse);
        };
        const req = request(target, {
          method: 'POST',
          agent,
          headers: {
            'Content-Type': 'text/xml; charset=utf-8',
            SOAPAction: 'urn:vim25/7.0',
            'Content-Length': Buffer.byteLength(body),
            ...(cookie ? { Cookie: `${SESSION_COOKIE}=${cookie}` } : {}),
          },
        });
        const onAbort = () => {
          finish(new AbortedError());
          req.destroy();
        };
        const timer = setTimeout(() => {
          finish(new HypervisorError('CONNECTION_TIMEOUT', `vCenter did not answer ${method} within ${timeoutMs} ms (${target.host})`));
          req.destroy();
        }, timeoutMs);
        signal?.addEventListener('abort', onAbort, { once: true });
        req.on('error', (error: NodeJS.ErrnoException) =>
          finish(
            new HypervisorError(
              'CONNECTION_FAILED',
              `cannot reach vCenter at ${target.host} (${method}): ${error.code ?? ''} ${error.message}`.trim(),
            ),
          ),
        );
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (error) =>
            finish(new HypervisorError('CONNECTION_FAILED', `vCenter at ${target.host} broke off ${method}: ${error.message}`)),
          );
          res.on('end', () =>
            finish(null, {
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              sessionCookie: sessionCookieOf(res.headers['set-cookie']),
            }),
          );
        });
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}

function sessionCookieOf(headers: string[] | undefined): string | null {
  for (const header of headers ?? []) {
    const [pair = ''] = header.split(';');
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === SESSION_COOKIE) return pair.slice(eq + 1).trim();
  }
  return null;
}
