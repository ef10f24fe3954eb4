// The page in happy-dom, set up by hand so the server can run in this file too (see page-dom.ts).
const page = await vi.hoisted(async () => (await import('../support/page-dom.ts')).installPageDom());
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Client, fetchExchange, Provider } from 'urql';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Router } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import { parseJustification } from '../../src/domain/justification.ts';
import { parseVmName } from '../../src/domain/vm-name.ts';
import { portalCache } from '../../web/src/graphql/cache.ts';
import { NewRequestPage } from '../../web/src/pages/new-request-page.tsx';
import { archiveProject, createProject, READ_MODEL_WAIT, requestsOf } from '../e2e/portal-request-fixtures.ts';
import { alice, bob, carol, dave } from '../support/personas.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
// The values the global setup provides to test files (typed there), which the server's test database reads.
import type {} from '../support/global-setup.ts';

// The new-request page against a real server: a real urql client with the portal's cache, real tokens, real
// refusals. `sent` records every createVmRequest the page sent and what came back, as the network carried it.

interface Exchange {
  input: { idempotencyKey?: string; vmName: string };
  answer: { __typename: string; fields?: { field: string; message: string }[] } | null;
}

let server: TestServer;
const tokens: Record<string, string> = {};
let aliceProject: string;
let othersProject: string;

beforeAll(async () => {
  server = await startTestServer();
  for (const who of [alice, bob, carol, dave]) tokens[who.userId] = await server.token(who);
  aliceProject = await createProject(server, tokens.bob!, 'Web shop', ['alice']);
  // Carol's, alice not in it: bob (admin) may still request in it; alice may not see it.
  othersProject = await createProject(server, tokens.carol!, 'Data lake');
  const archived = await createProject(server, tokens.bob!, 'Old intranet', ['alice']);
  await archiveProject(server, tokens.bob!, archived);
});
afterAll(async () => {
  await server?.close();
  await page.teardown();
});
afterEach(cleanup);

function renderPage(userId: string, options: { loseFirstAnswer?: boolean } = {}) {
  const sent: Exchange[] = [];
  let lose = options.loseFirstAnswer ?? false;
  const client = new Client({
    url: server.url,
    exchanges: [portalCache(), fetchExchange],
    fetchOptions: { headers: { authorization: `Bearer ${tokens[userId]}` } },
    requestPolicy: 'cache-and-network',
    fetch: async (url, init) => {
      const response = await fetch(url, init);
      // Queries go as GET; the mutation is the POST with a body.
      if (typeof init?.body !== 'string') return response;
      const body = JSON.parse(init.body) as { query: string; variables: { input: Exchange['input'] } };
      if (!body.query.includes('createVmRequest')) return response;
      const json = (await response.clone().json()) as { data?: { createVmRequest: Exchange['answer'] } };
      sent.push({ input: body.variables.input, answer: json.data?.createVmRequest ?? null });
      // The server did the work, but its answer never reaches the page (a dropped connection).
      if (lose) {
        lose = false;
        throw new TypeError('Failed to fetch');
      }
      return response;
    },
  });
  const location = memoryLocation({ path: '/requests/new', record: true });
  render(
    <Provider value={client}>
      <Router hook={location.hook}>
        <NewRequestPage />
      </Router>
    </Provider>,
  );
  return { sent, location, user: userEvent.setup() };
}

/**
 * Alice's requests' names once the list (a read model) shows `id`. Anything this test made before it was committed
 * earlier, and the projector applies commits in order, so by then the list holds every one of them.
 */
async function namesOnceListed(id: string): Promise<string[]> {
  return vi.waitFor(async () => {
    const requests = await requestsOf(server, tokens.alice!);
    expect(requests.map((request) => request.id)).toContain(id);
    return requests.map((request) => request.vmName);
  }, READ_MODEL_WAIT);
}

const serverMessage = (result: { ok: boolean; error?: { message: string } }) => (result.ok ? null : result.error!.message);

async function fillValidForm(user: ReturnType<typeof userEvent.setup>, vmName = 'web-01') {
  await user.type(await screen.findByLabelText('VM name'), vmName);
  await user.click(screen.getByRole('radio', { name: /^M\b/ }));
  await user.type(screen.getByLabelText('Justification'), 'Staging for the spring release');
}

describe('the new request page', () => {
  it('offers a user only their active projects, and picks the only one', async () => {
    renderPage('alice');
    const picker = (await screen.findByLabelText('Project')) as HTMLSelectElement;
    expect(within(picker).getAllByRole('option').map((option) => option.textContent)).toEqual(['Web shop']);
    expect(picker.value).toBe(aliceProject);
  });

  it('offers an admin every active project of the tenant, their own first', async () => {
    renderPage('bob');
    const picker = await screen.findByLabelText('Project');
    const groups = within(picker).getAllByRole('group');
    expect(groups.map((group) => group.getAttribute('label'))).toEqual(['Your projects', 'Other projects (as tenant admin)']);
    expect(within(groups[0]!).getAllByRole('option').map((option) => option.textContent)).toEqual(['Web shop']);
    expect(within(groups[1]!).getAllByRole('option').map((option) => option.getAttribute('value'))).toEqual([othersProject]);
    expect((picker as HTMLSelectElement).value).toBe('');
  });

  it('tells someone in no project what to do instead of showing the form', async () => {
    renderPage('dave');
    expect(await screen.findByRole('heading', { name: 'No project to request a VM in' })).toBeTruthy();
    expect(screen.getByText(/Ask a tenant admin or a project admin to add you/)).toBeTruthy();
    expect(screen.queryByLabelText('VM name')).toBeNull();
  });

  it('shows the size cards from vmSizes as one radio group that arrow keys move through', async () => {
    const { user } = renderPage('alice');
    const group = await screen.findByRole('radiogroup', { name: 'Size' });
    const radios = within(group).getAllByRole('radio') as HTMLInputElement[];
    expect(radios.map((radio) => radio.value)).toEqual(['S', 'M', 'L', 'XL']);
    expect(radios[1]!.labels?.[0]?.textContent).toMatch(/^M4 vCPU8 GB RAM100 GB disk€50 \/ month$/);
    await user.click(radios[0]!);
    await user.keyboard('{ArrowRight}');
    expect(radios[1]!.checked).toBe(true);
    expect(radios[0]!.checked).toBe(false);
  });

  it('checks the VM name as it is typed, in the server words, and says when it is fine', async () => {
    const { user } = renderPage('alice');
    const name = await screen.findByLabelText('VM name');
    expect(name.getAttribute('aria-invalid')).toBeNull();
    expect(screen.getByText(/3 to 63 lowercase letters, digits and single hyphens/).id).toBe(name.getAttribute('aria-describedby'));

    await user.type(name, 'Web');
    const lowercase = serverMessage(parseVmName('Web'))!;
    expect(lowercase).toBe('VM name must be lowercase');
    const error = screen.getByText(lowercase);
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(name.getAttribute('aria-describedby')?.split(' ')).toContain(error.id);

    await user.clear(name);
    await user.type(name, 'web-');
    expect(screen.getByText(serverMessage(parseVmName('web-'))!)).toBeTruthy();
    await user.type(name, '01');
    expect(name.getAttribute('aria-invalid')).toBeNull();
    expect(screen.getByText('✓ Valid name')).toBeTruthy();
  });

  it('counts the justification characters against the server limit', async () => {
    const { user } = renderPage('alice');
    const justification = await screen.findByLabelText('Justification');
    expect(screen.getByText('0 / 1000 characters (at least 10)')).toBeTruthy();
    await user.type(justification, '  Tests 😀');
    // Trimmed, and the emoji is one character, as the server counts.
    expect(screen.getByText('7 / 1000 characters (at least 10)')).toBeTruthy();
    // Leaving the field says nothing yet (the counter guides); a submit says what is wrong.
    await user.tab();
    expect(justification.getAttribute('aria-invalid')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Request VM' }));
    expect(screen.getByText(serverMessage(parseJustification('  Tests 😀'))!)).toBeTruthy();
    expect(justification.getAttribute('aria-invalid')).toBe('true');

    await user.clear(justification);
    await user.click(justification);
    await user.paste('x'.repeat(1001));
    const counter = screen.getByText('1001 / 1000 characters (at least 10)');
    expect(counter.className).toContain('over');
    expect(screen.getByText('Justification must be at most 1000 characters')).toBeTruthy();
  });

  it('shows every field the server refuses on its input and focuses the first', async () => {
    const { user, sent } = renderPage('alice');
    await user.type(await screen.findByLabelText('VM name'), 'Web_01');
    await user.click(screen.getByRole('radio', { name: /^S\b/ }));
    await user.type(screen.getByLabelText('Justification'), 'short');
    await user.click(screen.getByRole('button', { name: 'Request VM' }));

    await waitFor(() => expect(sent).toHaveLength(1));
    const refused = sent[0]!.answer!;
    expect(refused.__typename).toBe('ValidationError');
    expect(refused.fields?.map((field) => field.field)).toEqual(['vmName', 'justification']);
    for (const { field, message } of refused.fields!) {
      const input = screen.getByLabelText(field === 'vmName' ? 'VM name' : 'Justification');
      await waitFor(() => expect(input.getAttribute('aria-invalid')).toBe('true'));
      const shown = screen.getByText(message);
      expect(input.getAttribute('aria-describedby')?.split(' ')).toContain(shown.id);
    }
    expect(document.activeElement).toBe(screen.getByLabelText('VM name'));
    expect(await requestsOf(server, tokens.alice!)).toEqual([]);
  });

  it('asks for a project and a size before sending, and focuses the first missing one', async () => {
    const { user, sent } = renderPage('bob');
    await user.type(await screen.findByLabelText('VM name'), 'web-01');
    await user.click(screen.getByRole('button', { name: 'Request VM' }));
    const picker = screen.getByLabelText('Project');
    expect(picker.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Choose a project')).toBeTruthy();
    expect(screen.getByRole('radiogroup', { name: 'Size' }).getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Choose a size')).toBeTruthy();
    expect(document.activeElement).toBe(picker);
    expect(sent).toEqual([]);
  });

  it('sends one key per attempt: a retry after a lost answer creates the request once and opens it', async () => {
    const { user, sent, location } = renderPage('alice', { loseFirstAnswer: true });
    await fillValidForm(user, 'retry-01');
    const submit = screen.getByRole('button', { name: 'Request VM' });
    await user.click(submit);
    expect(await screen.findByText(/The server could not be reached/)).toBeTruthy();
    expect(sent[0]!.answer?.__typename).toBe('CreateVmRequestPayload');

    await user.click(submit);
    await waitFor(() => expect(location.history.at(-1)).toMatch(/^\/requests\/(?!new)/));
    expect(sent).toHaveLength(2);
    expect(sent[0]!.input.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent[1]!.input.idempotencyKey).toBe(sent[0]!.input.idempotencyKey);
    const opened = location.history.at(-1)!.slice('/requests/'.length);
    expect(await namesOnceListed(opened)).toEqual(['retry-01']);
  });

  it('sends a double click once, and a changed form with a new key', async () => {
    const { user, sent, location } = renderPage('alice', { loseFirstAnswer: true });
    await fillValidForm(user, 'double-01');
    await user.dblClick(screen.getByRole('button', { name: 'Request VM' }));
    expect(await screen.findByText(/The server could not be reached/)).toBeTruthy();
    expect(sent).toHaveLength(1);

    // Edited after the lost answer: a new attempt, so a new request with a new key.
    const name = screen.getByLabelText('VM name');
    await user.clear(name);
    await user.type(name, 'double-02');
    await user.click(screen.getByRole('button', { name: 'Request VM' }));
    await waitFor(() => expect(location.history.at(-1)).toMatch(/^\/requests\/(?!new)/));
    expect(sent).toHaveLength(2);
    expect(sent[1]!.input.idempotencyKey).not.toBe(sent[0]!.input.idempotencyKey);
    const opened = location.history.at(-1)!.slice('/requests/'.length);
    expect((await namesOnceListed(opened)).filter((vmName) => vmName.startsWith('double-')).sort()).toEqual(['double-01', 'double-02']);
  });

  it('says so in the alert when the project was archived meanwhile, and offers it no more', async () => {
    const project = await createProject(server, tokens.bob!, 'Soon archived');
    const { user, sent } = renderPage('bob');
    await fillValidForm(user, 'late-01');
    await user.selectOptions(screen.getByLabelText('Project'), 'Soon archived');
    await archiveProject(server, tokens.bob!, project);
    await user.click(screen.getByRole('button', { name: 'Request VM' }));

    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]!.answer?.__typename).toBe('InvalidStateError');
    const alert = await screen.findByRole('alert');
    await waitFor(() => expect(alert.textContent).toMatch(/^The request was not created\. /));
    expect(document.activeElement).toBe(alert);
    await waitFor(() => expect(within(screen.getByLabelText('Project')).queryByText('Soon archived')).toBeNull());
  });
});
