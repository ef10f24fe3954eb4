import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SoapClient } from '../../src/provisioning/vsphere/soap-client.ts';
import { createTransport } from '../../src/provisioning/vsphere/transport.ts';
import { child, parseXml } from '../../src/provisioning/vsphere/xml.ts';

// The session rules of the SOAP client against a scripted vim25 endpoint on plain HTTP: what is tested is the
// client's own bookkeeping (logins, the cookie, the one retry, time limits), which no simulator can be made to
// misbehave for on demand.

const ENVELOPE = (body: string) =>
  `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ` +
  `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

const SERVICE_CONTENT = ENVELOPE(
  '<RetrieveServiceContentResponse xmlns="urn:vim25"><returnval>' +
    '<rootFolder type="Folder">group-d1</rootFolder><propertyCollector type="PropertyCollector">propertyCollector</propertyCollector>' +
    '<viewManager type="ViewManager">ViewManager</viewManager><searchIndex type="SearchIndex">SearchIndex</searchIndex>' +
    '<sessionManager type="SessionManager">SessionManager</sessionManager></returnval></RetrieveServiceContentResponse>',
);
const NOT_AUTHENTICATED = ENVELOPE(
  '<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring></faultstring><detail>' +
    '<NotAuthenticatedFault xmlns="urn:vim25" xsi:type="NotAuthenticated"></NotAuthenticatedFault></detail></soapenv:Fault>',
);

interface Script {
  /** Answers one call (not RetrieveServiceContent or Login); null: never answer. */
  answer(method: string, cookie: string | undefined): { status: number; body: string } | null;
}

let server: Server | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = null;
});

async function serve(script: Script) {
  const logins: string[] = [];
  let sessions = 0;
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const method = child(parseXml(body), 'Body')?.children[0]?.name ?? '';
      const cookie = /vmware_soap_session="?([^";]+)/.exec(req.headers.cookie ?? '')?.[1];
      if (method === 'RetrieveServiceContent') return res.writeHead(200).end(SERVICE_CONTENT);
      if (method === 'Login') {
        const session = `s${++sessions}`;
        logins.push(session);
        res.setHeader('Set-Cookie', `vmware_soap_session="${session}"; Path=/; HttpOnly; Secure`);
        return res.writeHead(200).end(ENVELOPE('<LoginResponse xmlns="urn:vim25"><returnval><key>k</key></returnval></LoginResponse>'));
      }
      const answer = script.answer(method, cookie);
      if (answer) res.writeHead(answer.status).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new SoapClient(createTransport(`http://127.0.0.1:${port}/sdk`, { caPem: null, insecure: false }), { username: 'u', password: 'p' }, 2_000);
  return { client, logins };
}

const ok = ENVELOPE('<CurrentTimeResponse xmlns="urn:vim25"><returnval>2026-01-01T00:00:00Z</returnval></CurrentTimeResponse>');
const target = { type: 'ServiceInstance', value: 'ServiceInstance' };

describe('vim25 session', () => {
  it('sends the session cookie; an expired session logs in once and the call is repeated', async () => {
    let current = 's1';
    const { client, logins } = await serve({
      answer: (_method, cookie) => (cookie === current ? { status: 200, body: ok } : { status: 500, body: NOT_AUTHENTICATED }),
    });
    await client.call('CurrentTime', target, [], {});
    expect(logins).toEqual(['s1']);
    // The server forgets the session; five calls find out together and share one new login.
    current = 's2';
    await Promise.all(Array.from({ length: 5 }, () => client.call('CurrentTime', target, [], {})));
    expect(logins).toEqual(['s1', 's2']);
  });

  it('a session refused again right after the new login is AUTHENTICATION_FAILED, not a loop', async () => {
    const { client, logins } = await serve({ answer: () => ({ status: 500, body: NOT_AUTHENTICATED }) });
    await expect(client.call('CurrentTime', target, [], {})).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED', retryable: false });
    expect(logins).toHaveLength(2);
  });

  it('a call without an answer ends at its own limit as CONNECTION_TIMEOUT; an abort ends it at once', async () => {
    const { client } = await serve({ answer: () => null });
    await expect(client.call('CurrentTime', target, [], { timeoutMs: 200 })).rejects.toMatchObject({
      code: 'CONNECTION_TIMEOUT',
      retryable: true,
    });
    const controller = new AbortController();
    const call = client.call('CurrentTime', target, [], { signal: controller.signal, timeoutMs: 60_000 });
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortedError' });
  });

  it('nobody listening is CONNECTION_FAILED', async () => {
    // Port 1 on the loopback: nothing listens there, the connection is refused at once.
    const client = new SoapClient(createTransport('http://127.0.0.1:1/sdk', { caPem: null, insecure: false }), { username: 'u', password: 'p' }, 2_000);
    await expect(client.call('CurrentTime', target, [], {})).rejects.toMatchObject({ code: 'CONNECTION_FAILED', retryable: true });
  });
});
