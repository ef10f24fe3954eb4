// The page in happy-dom, set up by hand so the server can run in this file too (see page-dom.ts).
const page = await vi.hoisted(async () => (await import('../support/page-dom.ts')).installPageDom());
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Client, fetchExchange, Provider } from 'urql';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ProjectItemFragment } from '../../web/src/gql/graphql.ts';
import { portalCache } from '../../web/src/graphql/cache.ts';
import { ProjectQuotaNow, SetProjectQuota } from '../../web/src/graphql/projects.ts';
import { QuotaForm } from '../../web/src/pages/projects/quota-form.tsx';
import { createProject } from '../e2e/portal-request-fixtures.ts';
import { bob } from '../support/personas.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import type {} from '../support/global-setup.ts';

// The quota form against a real server: the server's range rule lands on every field it names (aria-invalid, the
// message in its description), a value that is no whole number is stopped before sending, and nothing is written.

let server: TestServer;
let client: Client;
let projectId: string;

beforeAll(async () => {
  server = await startTestServer();
  const token = await server.token(bob);
  projectId = await createProject(server, token, 'Quota form lab');
  client = new Client({
    url: server.url,
    exchanges: [portalCache(), fetchExchange],
    fetchOptions: { headers: { authorization: `Bearer ${token}` } },
  });
});
afterAll(async () => {
  await server?.close();
  await page.teardown();
});
afterEach(cleanup);

const read = async (): Promise<ProjectItemFragment> => {
  const result = await client.query(ProjectQuotaNow, { id: projectId }, { requestPolicy: 'network-only' }).toPromise();
  return result.data!.project!;
};

const errorOf = (input: HTMLElement) => {
  const id = (input.getAttribute('aria-describedby') ?? '').split(' ').find((each) => each.endsWith('-error'));
  return id ? document.getElementById(id)?.textContent : undefined;
};

/** The form for `project` against the real server; returns its onDone. */
const renderForm = (project: ProjectItemFragment) => {
  const done = vi.fn();
  render(
    <Provider value={client}>
      <QuotaForm project={project} onDone={done} />
    </Provider>,
  );
  return done;
};

describe('QuotaForm', () => {
  it('shows each field the server refuses next to it, stops a non-number before sending, and writes nothing', async () => {
    const project = await read();
    const done = renderForm(project);
    const user = userEvent.setup({ document });
    const vms = screen.getByLabelText('Max VMs');
    const vcpus = screen.getByLabelText('Max vCPUs');
    const ram = screen.getByLabelText('Max RAM (GB)');
    const disk = screen.getByLabelText('Max disk (GB)');

    await user.type(vms, '-1');
    await user.type(vcpus, '2000000');
    await user.type(ram, '16');
    await user.click(screen.getByRole('button', { name: 'Save quota' }));
    await waitFor(() => expect(vms.getAttribute('aria-invalid')).toBe('true'));
    expect(vcpus.getAttribute('aria-invalid')).toBe('true');
    expect(ram.getAttribute('aria-invalid')).toBeNull();
    expect(disk.getAttribute('aria-invalid')).toBeNull();
    expect(errorOf(vms)).toMatch(/\w{3,}/);
    expect(errorOf(vcpus)).toMatch(/\w{3,}/);
    expect(document.activeElement).toBe(vms);
    expect(done).not.toHaveBeenCalled();

    // Not a whole number: the form's own words, and nothing sent.
    await user.clear(vms);
    await user.type(vms, '2.5');
    await user.clear(vcpus);
    await user.click(screen.getByRole('button', { name: 'Save quota' }));
    await waitFor(() => expect(errorOf(vms)).toBe('Enter a whole number, or leave it empty for no limit.'));
    expect(vcpus.getAttribute('aria-invalid')).toBeNull();

    const after = await read();
    expect(after.version).toBe(project.version);
    expect(after.quota).toMatchObject({ maxVms: null, maxVCpus: null, maxRamGb: null, maxStorageGb: null });

    // Fixed: saved, and the form hands back.
    await user.clear(vms);
    await user.type(vms, '3');
    await user.click(screen.getByRole('button', { name: 'Save quota' }));
    await waitFor(() => expect(done).toHaveBeenCalledWith(true));
    expect((await read()).quota).toMatchObject({ maxVms: 3, maxVCpus: null, maxRamGb: 16, maxStorageGb: null });
  }, 60_000);

  // Last: it stops the server's projector.
  it('after a change made elsewhere, saves at the version the refusal names, though the projects read model is behind', async () => {
    await server.projector!.caughtUp();
    const project = await read();
    const done = renderForm(project);
    // From here queries answer the project's version from before the change below; its quota comes from the ledger.
    await server.projector!.stop();
    const elsewhere = await client.mutation(SetProjectQuota, { input: { projectId, expectedVersion: project.version, maxVms: 7 } }).toPromise();
    expect(elsewhere.data?.setProjectQuota.__typename).toBe('SetProjectQuotaPayload');
    expect(await read()).toMatchObject({ version: project.version, quota: { maxVms: 7 } });

    const user = userEvent.setup({ document });
    const vms = screen.getByLabelText('Max VMs');
    await user.clear(vms);
    await user.type(vms, '4');
    await user.click(screen.getByRole('button', { name: 'Save quota' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/changed meanwhile/));
    expect((vms as HTMLInputElement).value).toBe('7');
    expect(done).not.toHaveBeenCalled();

    await user.clear(vms);
    await user.type(vms, '4');
    await user.click(screen.getByRole('button', { name: 'Save quota' }));
    await waitFor(() => expect(done).toHaveBeenCalledWith(true));
    expect((await read()).quota.maxVms).toBe(4);
  }, 60_000);
});
