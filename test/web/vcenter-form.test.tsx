// The page in happy-dom, set up by hand so the server can run in this file too (see page-dom.ts).
const page = await vi.hoisted(async () => (await import('../support/page-dom.ts')).installPageDom());
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Client, fetchExchange, Provider } from 'urql';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { portalCache } from '../../web/src/graphql/cache.ts';
import { SetVmwareConnection, VmwareConnectionQuery } from '../../web/src/graphql/vmware-connection.ts';
import { VcenterForm } from '../../web/src/pages/settings/vcenter-form.tsx';
import { emptyValues, inputOf, valuesOf, type VcenterValues } from '../../web/src/pages/settings/vcenter-values.ts';
import { person } from '../support/personas.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import type {} from '../support/global-setup.ts';

// The vCenter form against a real server with production's rules: every field the server refuses shows its message
// on that field (skipping certificate checks included), focus goes to the first, nothing is written; and what the
// form sends for a saved connection is that connection exactly (saving it again changes nothing).

// Self-signed, for the CA field (openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500).
const CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBkzCCATmgAwIBAgIUY3RPif2078vek+aNy4XD4BWdW5YwCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTZHZtbS1wb3J0YWwtdGVzdC1jYTAgFw0yNjEyMDcxODQzMjla
GA8yMTI2MTExMzE4NDMyOVowHjEcMBoGA1UEAwwTZHZtbS1wb3J0YWwtdGVzdC1j
YTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABKxli8usS+a7FfLf1WzbYtH2YBV1
uS3MG8oE7KbhA8p7ClCGOBefVEgxmu4yOr6NJDisQ8kFtoBaD6Unjm5NtwmjUzBR
MB0GA1UdDgQWBBQORdrkX5zjF/iDvkhpQZZiKp5wozAfBgNVHSMEGDAWgBQORdrk
X5zjF/iDvkhpQZZiKp5wozAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gA
MEUCIAObAWkghIoVMV+e3+oDjjit4vCB0Aq4J84IBHO2As17AiEAnUGjwJMnBAqk
AA8jc99p7ZMUFXfWxXCw+161vs+4cYQ=
-----END CERTIFICATE-----`;

let server: TestServer;
let client: Client;
let counter = 0;

beforeAll(async () => {
  server = await startTestServer({ vmware: { production: true } });
});
afterAll(async () => {
  await server?.close();
  await page.teardown();
});
afterEach(cleanup);

/** A client for a tenant admin of a tenant of its own, so each test starts without a connection. */
async function adminClient(): Promise<Client> {
  const token = await server.token(person(`vcenter-form-${++counter}`, 'root', 'admin'));
  return new Client({ url: server.url, exchanges: [portalCache(), fetchExchange], fetchOptions: { headers: { authorization: `Bearer ${token}` } } });
}
const savedBy = async (admin: Client) =>
  (await admin.query(VmwareConnectionQuery, {}, { requestPolicy: 'network-only' }).toPromise()).data!.vmwareConnection;
const errorOf = (input: HTMLElement) => {
  const ids = (input.getAttribute('aria-describedby') ?? '').split(' ').filter((each) => each.endsWith('-error'));
  return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
};

describe('VcenterForm', () => {
  it('puts each refused field’s message on that field, focuses the first, and writes nothing', async () => {
    client = await adminClient();
    render(
      <Provider value={client}>
        <VcenterForm connection={null} />
      </Provider>,
    );
    const user = userEvent.setup({ document });
    const typeInto = async (label: string, text: string) => user.type(screen.getByLabelText(label, { exact: false }), text);
    await typeInto('SDK URL', 'http://vcenter.example.com/sdk');
    await typeInto('User', 'svc-dvmm');
    await typeInto('Password', 'secret');
    await typeInto('Datacenter', 'DC0');
    await typeInto('Datastore', 'ds1');
    await typeInto('Network', 'VM Network');
    await user.click(screen.getByLabelText('Template for size S', { exact: false }));
    await user.paste('t'.repeat(256));
    await user.click(screen.getByLabelText('Fixed addresses from an IP pool (otherwise DHCP)'));
    await typeInto('Pool (CIDR)', '10.20.0.0/30');
    await typeInto('Gateway', '10.30.0.1');
    await typeInto('DNS servers', '10.20.0.2, nine');
    await typeInto('DNS domain', 'not a domain');
    await typeInto('CA certificate (PEM)', 'not a certificate');
    await user.click(screen.getByLabelText('Skip certificate verification'));
    await user.click(screen.getByRole('button', { name: 'Save' }));

    const url = screen.getByLabelText('SDK URL', { exact: false });
    await waitFor(() => expect(url.getAttribute('aria-invalid')).toBe('true'));
    const refused = {
      'SDK URL': /https/,
      Cluster: /cluster or a resource pool/,
      'Default template': /default template is required/i,
      'Pool (CIDR)': /\/29 or larger/,
      Gateway: /inside 10\.20\.0\.0\/30/,
      'DNS servers': /"nine"/,
      'DNS domain': /domain name/,
      'CA certificate (PEM)': /PEM certificate/,
      'Skip certificate verification': /refused in production/,
    };
    for (const [label, message] of Object.entries(refused)) {
      const input = screen.getByLabelText(label, { exact: false });
      expect(input.getAttribute('aria-invalid'), label).toBe('true');
      expect(errorOf(input), label).toMatch(message);
    }
    // The templates' refusal belongs to the group: every size's input points at its message.
    for (const size of ['S', 'M', 'L', 'XL']) {
      const input = screen.getByLabelText(`Template for size ${size}`, { exact: false });
      expect(input.getAttribute('aria-invalid'), size).toBe('true');
      expect(errorOf(input), size).toMatch(/Template for size S must be at most 255/);
    }
    for (const label of ['User', 'Password', 'Datacenter', 'Datastore', 'Network']) {
      expect(screen.getByLabelText(label, { exact: false }).getAttribute('aria-invalid'), label).toBeNull();
    }
    expect(document.activeElement).toBe(url);
    expect(await savedBy(client)).toBeNull();

    // Editing a field takes its error away; the others stay until the server says otherwise.
    await user.clear(url);
    await user.type(url, 'https://vcenter.example.com/sdk');
    expect(url.getAttribute('aria-invalid')).toBeNull();
    expect(screen.getByLabelText('Gateway', { exact: false }).getAttribute('aria-invalid')).toBe('true');
  }, 60_000);

  it('sends a saved connection back exactly: values typed loosely are saved tidy, and saving the form again changes nothing', async () => {
    client = await adminClient();
    const typed: VcenterValues = {
      ...emptyValues(),
      url: ' https://vcenter.example.com/sdk ',
      username: 'svc-dvmm',
      password: ' spaces are part of it ',
      datacenter: 'DC0',
      resourcePool: '/DC0/host/DC0_C0/Resources/dev',
      datastore: 'LocalDS_0',
      folder: 'dvmm/portal',
      network: 'VM Network',
      templates: { S: 'ubuntu-22.04', M: '', L: 'rhel-9', XL: '' },
      defaultTemplate: 'ubuntu-22.04',
      useIpPool: true,
      cidr: '10.20.0.0/24',
      gateway: '10.20.0.1',
      dnsServers: '10.20.0.2,10.20.0.3\n',
      dnsDomain: 'Corp.Example.com',
      caPem: `\n${CA_PEM}\n`,
      insecure: false,
    };
    const first = (await client.mutation(SetVmwareConnection, { input: { connection: inputOf(typed), expectedVersion: 0 } }).toPromise()).data!
      .setVmwareConnection;
    if (first.__typename !== 'SetVmwareConnectionPayload') throw new Error(JSON.stringify(first));
    const saved = (await savedBy(client))!;
    expect(saved).toMatchObject({ version: 1, passwordSet: true, cluster: null, resourcePool: '/DC0/host/DC0_C0/Resources/dev', folder: 'dvmm/portal' });
    const shown = valuesOf(saved);
    expect(shown).toEqual({
      ...typed,
      url: 'https://vcenter.example.com/sdk',
      password: '',
      dnsServers: '10.20.0.2, 10.20.0.3',
      dnsDomain: 'corp.example.com',
      caPem: `${CA_PEM}\n`,
    });

    // The form as loaded, saved again without a password: the same settings, so nothing is written.
    expect(inputOf(shown)).not.toHaveProperty('password');
    const again = (await client.mutation(SetVmwareConnection, { input: { connection: inputOf(shown), expectedVersion: saved.version } }).toPromise())
      .data!.setVmwareConnection;
    expect(again).toMatchObject({ __typename: 'SetVmwareConnectionPayload', connection: { version: saved.version } });
    // DHCP again: the pool is gone, the rest kept.
    const dhcp = (await client.mutation(SetVmwareConnection, { input: { connection: inputOf({ ...shown, useIpPool: false }), expectedVersion: 1 } }).toPromise())
      .data!.setVmwareConnection;
    expect(dhcp).toMatchObject({ __typename: 'SetVmwareConnectionPayload', connection: { version: 2, ipPool: null, passwordSet: true } });
  }, 60_000);
});
