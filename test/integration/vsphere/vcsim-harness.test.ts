import { readdirSync } from 'node:fs';
import { request } from 'node:https';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVcsim, type Vcsim, vcsimForTests } from '../../support/vcsim.ts';

// The vCenter simulator the vSphere tests run against, spoken to in raw vim25 SOAP over TLS verified against the
// certificate it wrote: it serves, it has the templates, it refuses bad credentials, and stop() / restart() do what
// the adapter's outage tests rely on. The SOAP here is only what proves that; the real client is the adapter's.

// Null (and the file skips, saying how to build the simulator) without the binary; under CI=true that throws instead.
const vcsimPath = vcsimForTests();

interface SoapReply {
  status: number;
  body: string;
  cookie: string | undefined;
}

/** A vim25 method's body: `<Method><_this type="Type">value</_this>...</Method>`. */
function vim(method: string, [type, value]: [string, string], inner = ''): string {
  return `<${method} xmlns="urn:vim25"><_this type="${type}">${value}</_this>${inner}</${method}>`;
}

interface SoapOptions {
  cookie?: string;
  /** Trust the system's CAs only, not the simulator's certificate. */
  trustSystemOnly?: boolean;
}

function soap(vcsim: Vcsim, body: string, options: SoapOptions = {}): Promise<SoapReply> {
  const envelope =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
  return new Promise((resolve, reject) => {
    const req = request(
      vcsim.sdkUrl,
      {
        method: 'POST',
        // A connection per call: a pooled one would outlive a stopped simulator and blur what the test sees.
        agent: false,
        // The certificate the simulator wrote is the only root trusted; verification stays on.
        ...(options.trustSystemOnly ? {} : { ca: vcsim.caPem }),
        headers: {
          'content-type': 'text/xml; charset=utf-8',
          soapaction: 'urn:vim25/7.0',
          ...(options.cookie ? { cookie: options.cookie } : {}),
        },
        timeout: 30_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const cookie = res.headers['set-cookie']?.[0]?.split(';')[0];
          resolve({ status: res.statusCode ?? 0, body: text, cookie });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('SOAP call timed out')));
    req.on('error', reject);
    req.end(envelope);
  });
}

const retrieveServiceContent = vim('RetrieveServiceContent', ['ServiceInstance', 'ServiceInstance']);

function login(sessionManager: string, username: string, password: string): string {
  return vim('Login', ['SessionManager', sessionManager], `<userName>${username}</userName><password>${password}</password>`);
}

function findByInventoryPath(content: string, path: string): string {
  return vim('FindByInventoryPath', ['SearchIndex', element(content, 'searchIndex')!], `<inventoryPath>${path}</inventoryPath>`);
}

/** Text of the first <name> element (with any attributes). */
function element(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}(?: [^>]*)?>([^<]*)</${name}>`).exec(xml)?.[1];
}

async function logIn(vcsim: Vcsim): Promise<{ cookie: string; content: string }> {
  const content = await soap(vcsim, retrieveServiceContent);
  expect(content.status).toBe(200);
  const sessionManager = element(content.body, 'sessionManager');
  expect(sessionManager).toBeDefined();
  const reply = await soap(vcsim, login(sessionManager!, vcsim.username, vcsim.password));
  expect(reply.status, reply.body).toBe(200);
  expect(element(reply.body, 'userName')).toBe(vcsim.username);
  expect(reply.cookie).toMatch(/^vmware_soap_session=/);
  return { cookie: reply.cookie!, content: content.body };
}

/** The template's reference and its config.template, found by inventory path as govc and the adapter do. */
async function findTemplate(
  vcsim: Vcsim,
  cookie: string,
  content: string,
  name: string,
): Promise<{ ref?: string; template?: string }> {
  const found = await soap(vcsim, findByInventoryPath(content, `${vcsim.inventory.datacenter}/vm/${name}`), { cookie });
  expect(found.status, found.body).toBe(200);
  const ref = element(found.body, 'returnval');
  if (!ref) return {};
  const spec =
    '<specSet><propSet><type>VirtualMachine</type><pathSet>config.template</pathSet></propSet>' +
    `<objectSet><obj type="VirtualMachine">${ref}</obj></objectSet></specSet><options></options>`;
  const props = await soap(vcsim, vim('RetrievePropertiesEx', ['PropertyCollector', element(content, 'propertyCollector')!], spec), {
    cookie,
  });
  expect(props.status, props.body).toBe(200);
  return { ref, template: element(props.body, 'val') };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(vcsimPath === null)('the vCenter simulator harness', () => {
  let vcsim: Vcsim;

  beforeAll(async () => {
    // A long delay on one method no other call uses, to have a call in flight when the simulator stops.
    vcsim = await startVcsim({ templates: ['ubuntu-22.04', 'rhel-9'], methodDelayMs: { CurrentTime: 600_000 } });
  });
  afterAll(async () => {
    await vcsim?.close();
  });

  it('serves vim25 on a free port of 127.0.0.1, over TLS checked against the certificate it wrote', async () => {
    expect(vcsim.sdkUrl).toBe(`https://127.0.0.1:${vcsim.port}/sdk`);
    expect(vcsim.port).toBeGreaterThan(0);
    expect(vcsim.caPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const content = await soap(vcsim, retrieveServiceContent);
    expect(content.status).toBe(200);
    expect(element(content.body, 'apiType')).toBe('VirtualCenter');

    // Without that certificate the self-signed server is refused: the checks really are on.
    await expect(soap(vcsim, retrieveServiceContent, { trustSystemOnly: true })).rejects.toMatchObject({
      code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/),
    });
  });

  it('accepts its credentials and has the templates, marked as templates, and the inventory it names', async () => {
    const { cookie, content } = await logIn(vcsim);
    expect(vcsim.inventory).toMatchObject({
      datacenter: 'DC0',
      cluster: 'DC0_C0',
      resourcePool: '/DC0/host/DC0_C0/Resources',
      datastore: 'LocalDS_0',
      network: 'VM Network',
      folder: 'dvmm',
      templates: ['ubuntu-22.04', 'rhel-9'],
    });
    for (const name of vcsim.inventory.templates) {
      const found = await findTemplate(vcsim, cookie, content, name);
      expect(found.ref, name).toMatch(/^vm-/);
      expect(found.template, name).toBe('true');
    }
    expect(await findTemplate(vcsim, cookie, content, 'no-such-template')).toEqual({});
  });

  it('refuses a wrong password with an InvalidLogin fault', async () => {
    const content = await soap(vcsim, retrieveServiceContent);
    const reply = await soap(vcsim, login(element(content.body, 'sessionManager')!, vcsim.username, 'wrong'));
    expect(reply.status).toBe(500);
    expect(reply.body).toMatch(/<faultcode>[^<]*ServerFaultCode<\/faultcode>/);
    expect(reply.body).toMatch(/xsi:type="InvalidLogin"/);
    expect(reply.cookie).toBeUndefined();
  });

  it('stop() ends the process in the middle of a call; restart() serves again on the same port', async () => {
    const { cookie, content } = await logIn(vcsim);
    const firstPid = vcsim.pid;
    const folder = dirname(vcsim.caFile);
    expect(readdirSync(folder).some((name) => name.startsWith('govcsim-'))).toBe(true);

    // Held by the simulator for ten minutes: the call can only end by the process going away.
    const inFlight = soap(vcsim, vim('CurrentTime', ['ServiceInstance', 'ServiceInstance']), { cookie }).then(
      (reply) => reply,
      (error: NodeJS.ErrnoException) => error,
    );
    await soap(vcsim, retrieveServiceContent);
    await vcsim.stop();

    expect(await inFlight).toMatchObject({ code: expect.stringMatching(/ECONNRESET|ECONNREFUSED/) });
    expect(isRunning(firstPid)).toBe(false);
    // It exited cleanly: its temporary datastores are gone.
    expect(readdirSync(folder).filter((name) => name.startsWith('govcsim-'))).toEqual([]);
    await expect(soap(vcsim, retrieveServiceContent)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    await vcsim.restart();
    expect(vcsim.pid).not.toBe(firstPid);
    expect(vcsim.sdkUrl).toBe(`https://127.0.0.1:${vcsim.port}/sdk`);
    // Same port, same certificate: a client configured before the outage carries on.
    const again = await logIn(vcsim);
    const template = await findTemplate(vcsim, again.cookie, again.content, vcsim.inventory.templates[0]!);
    expect(template.template).toBe('true');
    // The old session died with the old process: a client must log in again.
    const stale = await soap(vcsim, findByInventoryPath(content, 'DC0/vm'), { cookie });
    expect(stale.status).toBe(500);
    expect(stale.body).toMatch(/xsi:type="NotAuthenticated"/);
  });

  it('kill() ends it at once, and restart() brings it back', async () => {
    const pid = vcsim.pid;
    await vcsim.kill();
    expect(isRunning(pid)).toBe(false);
    await expect(soap(vcsim, retrieveServiceContent)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await vcsim.restart();
    await logIn(vcsim);
  });
});
