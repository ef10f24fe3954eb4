import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed, vi } from 'vitest';
import { seedDemo } from '../../src/demo/seed.ts';
import { demoAdmin, demoUser } from '../../src/demo/users.ts';
import { devTokens } from '../../src/http/dev-tokens.ts';
import { chromiumForTests, launchChromium, openPage, screenshot, type WatchedPage } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { ApproveVmRequestDocument } from './generated/graphql.ts';
import { dataOf, http } from './graphql-clients.ts';
import { createRequest, setupTenant, type Tenant } from './graphql-fixtures.ts';

// GraphiQL as a person uses it, in a real (headless) Chromium: open /graphql, paste a token into the Headers tab (or,
// in development, pick a demo user), run a query, run a subscription and watch changes made by others arrive. The
// page may reach this machine only.

// Null (and the file skips, saying how to install Chromium) without a Chromium; under CI=true that throws instead.
const chromiumPath = chromiumForTests();

describe.skipIf(chromiumPath === null)('GraphiQL in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let tenant: Tenant;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchChromium(chromiumPath!);
    tenant = await setupTenant(server);
  });
  afterAll(async () => {
    for (const watched of pages) await watched.close();
    await browser?.close();
    await server?.close();
  });

  async function openGraphiQL(url = server.url): Promise<WatchedPage> {
    const watched = await openPage(browser);
    pages.push(watched);
    showOnFailure(watched.page);
    await watched.page.goto(url);
    await watched.page.locator(OPERATION_EDITOR).waitFor();
    return watched;
  }

  it('loads from this server alone, without errors', async () => {
    const { page, outsideRequests, errors } = await openGraphiQL();
    expect(await page.title()).toBe('DVMM GraphiQL');
    for (const label of ['Execute query (Ctrl-Enter)', 'Show Documentation Explorer']) {
      await page.getByLabel(label).waitFor();
    }
    await page.locator('button[data-name="headers"]').waitFor();
    // The example operation tells a newcomer where the token goes.
    expect(await editorText(page, OPERATION_EDITOR)).toContain('into the Headers tab');
    // The schema fetch on load is refused without a token, and the result pane says so.
    await expect.poll(async () => firstError(await resultShown(page))?.extensions?.['code'], SHOWN).toBe('UNAUTHENTICATED');
    expect(firstError(await resultShown(page))?.message).toContain('Authorization');
    expect(outsideRequests).toEqual([]);
    expect(unexpected(errors)).toEqual([]);
  });

  it('runs a query with a token pasted into the Headers tab', async () => {
    const { page, outsideRequests, errors } = await openGraphiQL();
    await pasteHeaders(page, { Authorization: `Bearer ${tenant.aliceToken}` });
    await setOperation(page, 'Viewer', 'query Viewer { viewer { id tenantId roles } vmSizes { size vcpus memoryGb } }');
    await page.getByLabel('Execute query (Ctrl-Enter)').click();

    await expect.poll(async () => resultData(await resultShown(page))?.['viewer'], SHOWN).toBeDefined();
    const result = await resultShown(page);
    expect(result).toEqual({
      data: {
        viewer: { id: 'alice', tenantId: tenant.tenant, roles: ['user'] },
        vmSizes: expect.arrayContaining([expect.objectContaining({ size: 'M' })]),
      },
    });
    const sizes = (resultData(result)?.['vmSizes'] ?? []) as { size: string }[];
    expect(sizes.map((spec) => spec.size)).toEqual(['S', 'M', 'L', 'XL']);
    console.info(`[browser] query result: ${await screenshot(page, 'graphiql-query')}`);
    expect(outsideRequests).toEqual([]);
    expect(unexpected(errors)).toEqual([]);
  });

  it('shows live changes of a running subscription as another client makes them over HTTP, without reload', async () => {
    const { page, outsideRequests, errors } = await openGraphiQL();
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await pasteHeaders(page, { Authorization: `Bearer ${tenant.aliceToken}` });
    await setOperation(
      page,
      'Changes',
      `subscription Changes { vmRequestChanges(projectId: "${tenant.projectId}") { cursor vmRequest { id status vmName } } }`,
    );
    // Marks this document: a reload would lose it.
    await page.evaluate(() => Object.assign(window, { dvmmTestMarker: 'same page' }));
    const subscribersBefore = server.services.live.subscriberCount();
    await page.getByLabel('Execute query (Ctrl-Enter)').click();
    // Mutate only once the server holds the subscription: the change feed without `since` starts live.
    await expect.poll(() => server.services.live.subscriberCount(), POLL).toBeGreaterThan(subscribersBefore);
    expect(sockets).toEqual([server.wsUrl]);

    const vmName = `browser-vm-${Date.now().toString(36)}`;
    const created = await createRequest(server, tenant.aliceToken, tenant.projectId, { vmName });
    await expect.poll(async () => changeOf(await resultShown(page))?.vmRequest.status, SHOWN).toBe('PENDING');
    const pending = await resultShown(page);
    expect(changeOf(pending)?.vmRequest).toEqual({ id: created.id, status: 'PENDING', vmName });
    console.info(`[browser] subscription, after createVmRequest: ${await screenshot(page, 'graphiql-subscription-pending')}`);

    const approved = dataOf(
      await http(server.url, tenant.adminToken, ApproveVmRequestDocument, {
        input: { id: created.id, expectedVersion: created.version },
      }),
    ).approveVmRequest;
    expect(approved.__typename).toBe('ApproveVmRequestPayload');
    await expect.poll(async () => changeOf(await resultShown(page))?.vmRequest.status, SHOWN).toBe('APPROVED');
    const live = await resultShown(page);
    expect(changeOf(live)?.vmRequest).toEqual({ id: created.id, status: 'APPROVED', vmName });
    expect(changeOf(live)?.cursor).not.toBe(changeOf(pending)?.cursor);
    console.info(`[browser] subscription, after approveVmRequest: ${await screenshot(page, 'graphiql-subscription-approved')}`);

    expect(await page.evaluate(() => (window as { dvmmTestMarker?: string }).dvmmTestMarker)).toBe('same page');
    // Still running (the button stops it), still on the one socket it opened.
    await page.getByLabel('Stop query').waitFor();
    expect(sockets).toEqual([server.wsUrl]);
    expect(outsideRequests).toEqual([]);
    expect(unexpected(errors)).toEqual([]);
  });

  it('ends a subscription without a token with UNAUTHENTICATED (server closed 4403) instead of waiting', async () => {
    const { page, outsideRequests, errors } = await openGraphiQL();
    const initPayloads: unknown[] = [];
    page.on('websocket', (socket) =>
      socket.on('framesent', (frame) => {
        const message = JSON.parse(String(frame.payload)) as { type: string; payload?: unknown };
        if (message.type === 'connection_init') initPayloads.push(message.payload);
      }),
    );
    await setOperation(page, 'Changes', 'subscription Changes { vmRequestChanges { cursor } }');
    await page.getByLabel('Execute query (Ctrl-Enter)').click();

    await expect.poll(async () => firstError(await resultShown(page))?.extensions?.['closeCode'], SHOWN).toBe(4403);
    const refused = await resultShown(page);
    expect(firstError(refused)?.extensions).toEqual({ code: 'UNAUTHENTICATED', closeCode: 4403, closeReason: 'Forbidden' });
    expect(firstError(refused)?.message).toContain('Headers tab');
    console.info(`[browser] subscription without a token: ${await screenshot(page, 'graphiql-subscription-no-token')}`);
    // Over, not retrying: the run button is back, and the one attempt carried no token.
    await page.getByLabel('Execute query (Ctrl-Enter)').waitFor();
    expect(initPayloads).toEqual([{}]);
    expect(outsideRequests).toEqual([]);
    expect(unexpected(errors)).toEqual([]);
  });

  it('fetches the schema again once a token is pasted after the 401, without a reload', async () => {
    const { page, outsideRequests, errors } = await openGraphiQL();
    const introspections = watchIntrospections(page);
    await page.evaluate(() => Object.assign(window, { dvmmTestMarker: 'same page' }));
    await expect.poll(async () => firstError(await resultShown(page))?.extensions?.['code'], SHOWN).toBe('UNAUTHENTICATED');
    await openDocs(page);
    await page.getByText('Error fetching schema').waitFor();
    console.info(`[browser] before a token: ${await screenshot(page, 'graphiql-schema-401')}`);

    await pasteHeaders(page, { Authorization: `Bearer ${tenant.aliceToken}` });
    await docsShowSchema(page);
    expect(introspections.at(-1)).toBe(`Bearer ${tenant.aliceToken}`);
    // The 401 of the first fetch no longer stands in the result pane.
    await expect.poll(async () => (await editorText(page, RESULT_PANE)).trim(), POLL).toBe('');
    console.info(`[browser] after pasting a token: ${await screenshot(page, 'graphiql-schema-after-paste')}`);
    expect(await page.evaluate(() => (window as { dvmmTestMarker?: string }).dvmmTestMarker)).toBe('same page');
    expect(outsideRequests).toEqual([]);
    expect(unexpected(errors)).toEqual([]);
  }, 120_000);
});

// What `npm start` offers in development: the demo users' headers, served to the page (GraphiQLConfig.demoUsers).
describe.skipIf(chromiumPath === null)('GraphiQL for a first-time user (development, demo users)', () => {
  const secret = 'browser-graphiql-demo-secret-0123456789abcdef';
  let server: TestServer;
  let browser: Browser;
  let projectId: string;
  let demoHeaders: Record<'alice' | 'bob', string>;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    server = await startTestServer({
      auth: { secret },
      graphiql: { enabled: true, demoUsers: () => devTokens({ secret }, [demoUser, demoAdmin]) },
    });
    browser = await launchChromium(chromiumPath!);
    projectId = (await seedDemo(server.services.store)).projectIds[0]!;
  });
  afterAll(async () => {
    for (const watched of pages) await watched.close();
    await browser?.close();
    await server?.close();
  });

  it('signs in as a demo user, queries, reads the docs, switches user, watches a subscription, keeps the headers in a new tab', async () => {
    const watched = await openPage(browser);
    pages.push(watched);
    showOnFailure(watched.page);
    const { page, outsideRequests, errors } = watched;
    const introspections = watchIntrospections(page);
    await page.goto(server.url);
    await page.locator(OPERATION_EDITOR).waitFor();

    // The picker sits in GraphiQL's top right corner; a first visit starts signed in as the first demo user, so the
    // first schema fetch already carries a token: no 401, no "Error fetching schema".
    const picker = page.getByLabel('Sign in as');
    await picker.waitFor();
    expect(await picker.locator('option').allTextContents()).toEqual(['headers as typed', 'alice (user)', 'bob (admin)']);
    await picker.selectOption('alice');
    await page.locator('button[data-name="headers"]').click();
    const aliceAuthorization = await vi.waitFor(async () => {
      const shown = await authorizationShown(page);
      expect(shown).toBeDefined();
      return shown!;
    }, POLL);
    expect(introspections[0]).toBe(aliceAuthorization);
    await openDocs(page);
    await docsShowSchema(page);
    expect(await page.getByText('Error fetching schema').count()).toBe(0);
    console.info(`[browser] first visit, signed in as alice: ${await screenshot(page, 'graphiql-demo-alice')}`);

    await setOperation(page, 'Viewer', 'query Viewer { viewer { id tenantId roles } }');
    await page.getByLabel('Execute query (Ctrl-Enter)').click();
    await expect.poll(async () => resultData(await resultShown(page))?.['viewer'], SHOWN).toBeDefined();
    const viewer = await resultShown(page);
    expect(viewer).toEqual({ data: { viewer: { id: 'alice', tenantId: 'acme', roles: ['user'] } } });

    // Switching user writes bob's header and fetches the schema again with it.
    await picker.selectOption('bob');
    const bobAuthorization = await vi.waitFor(async () => {
      const shown = await authorizationShown(page);
      expect(shown).not.toBe(aliceAuthorization);
      return shown!;
    }, POLL);
    await expect.poll(() => introspections.at(-1), POLL).toBe(bobAuthorization);
    demoHeaders = { alice: aliceAuthorization, bob: bobAuthorization };
    await setOperation(page, 'Changes', `subscription Changes { vmRequestChanges(projectId: "${projectId}") { vmRequest { id status vmName requesterId } } }`);
    const subscribersBefore = server.services.live.subscriberCount();
    await page.getByLabel('Execute query (Ctrl-Enter)').click();
    await expect.poll(() => server.services.live.subscriberCount(), POLL).toBeGreaterThan(subscribersBefore);
    const vmName = `demo-vm-${Date.now().toString(36)}`;
    const created = await createRequest(server, await server.token(demoUser), projectId, { vmName });
    await expect.poll(async () => changeOf(await resultShown(page))?.vmRequest.id, SHOWN).toBe(created.id);
    const change = await resultShown(page);
    expect(changeOf(change)?.vmRequest).toMatchObject({ id: created.id, status: 'PENDING', vmName });
    console.info(`[browser] bob's subscription, after alice's createVmRequest: ${await screenshot(page, 'graphiql-demo-bob-subscription')}`);
    await page.getByLabel('Stop query').click();

    // A new tab starts with the headers of the tab it was opened from, and the picker says who that is.
    await page.getByLabel('New tab').click();
    await expect.poll(() => page.locator('.graphiql-tab').count(), POLL).toBe(2);
    await page.locator('button[data-name="headers"]').click();
    await expect.poll(() => authorizationShown(page), POLL).toBe(demoHeaders.bob);
    expect(await picker.inputValue()).toBe('bob');
    await setOperation(page, 'Me', 'query Me { viewer { id roles } }');
    await page.getByLabel('Execute query (Ctrl-Enter)').click();
    await expect.poll(async () => resultData(await resultShown(page))?.['viewer'], SHOWN).toBeDefined();
    const me = await resultShown(page);
    expect(me).toEqual({ data: { viewer: { id: 'bob', roles: ['admin'] } } });
    console.info(`[browser] new tab, as bob: ${await screenshot(page, 'graphiql-demo-new-tab')}`);

    // Every schema fetch carried a token: nothing was refused, nothing logged an error.
    expect(introspections.every((value) => value === demoHeaders.alice || value === demoHeaders.bob)).toBe(true);
    expect(outsideRequests).toEqual([]);
    expect(errors).toEqual([]);
  }, 120_000);

  it('has no serious or critical accessibility violations in what this project adds (axe-core)', async () => {
    const { page } = await openGraphiQLAt(server.url);
    await page.getByLabel('Sign in as').waitFor();
    await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: AxeViolation[] }> } }).axe;
      return (await axe.run(document)).violations;
    });
    const severe = violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
    const ours = severe.filter((violation) => violation.nodes.some((node) => /dvmm/.test(node.html) || node.target.join(' ').includes('dvmm')));
    // GraphiQL's own findings are reported, not failed on: they are the package's to fix.
    console.info(`[browser] axe-core, serious/critical in GraphiQL itself: ${JSON.stringify(severe.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help })))}`);
    expect(ours.map((violation) => ({ id: violation.id, nodes: violation.nodes.map((node) => node.html) }))).toEqual([]);
    // The picker is a labelled control that axe examined.
    expect(await page.getByRole('combobox', { name: 'Sign in as' }).count()).toBe(1);
  });

  it('renews a demo token that an earlier visit left in a tab (tokens are minted per visit and expire)', async () => {
    const { page, errors } = await openGraphiQLAt(server.url);
    await page.getByLabel('Sign in as').waitFor();
    const introspections = watchIntrospections(page);
    // As a visit of yesterday left it: a tab with alice's header of then, which the picker had written.
    const old = `Bearer ${await server.token(demoUser, { expiresIn: -60 })}`;
    // Written before the next page's scripts run: written from this page, GraphiQL could store its own tabs over
    // them as it unloads.
    await page.addInitScript((authorization) => {
      const tab = { id: 'earlier-tab', hash: null, title: 'Mine', query: 'query Mine { viewer { id } }', variables: null, headers: JSON.stringify({ Authorization: authorization }), operationName: 'Mine', response: null };
      localStorage.setItem('graphiql:tabState', JSON.stringify({ tabs: [tab], activeTabIndex: 0 }));
      localStorage.setItem('dvmm:graphiql:demo-tokens', JSON.stringify({ alice: authorization }));
    }, old);
    // The address without the ?query= GraphiQL keeps in it (a query there would open a tab of its own).
    await page.goto(server.url);
    await page.locator(OPERATION_EDITOR).waitFor();
    // GraphiQL opens a tab of its own beside the stored ones on a visit without ?query=: back to ours.
    // (A click while GraphiQL still sets up is lost: clicked until the tab is the active one.)
    await expect
      .poll(async () => {
        await page.locator('.graphiql-tab-button[title="Mine"]').click();
        return page.locator('.graphiql-tab-active .graphiql-tab-button[title="Mine"]').count();
      }, SHOWN)
      .toBe(1);
    await page.locator('button[data-name="headers"]').click();
    const shown = await vi.waitFor(async () => {
      const authorization = await authorizationShown(page);
      expect(authorization).toBeDefined();
      return authorization!;
    }, POLL);
    expect(shown).not.toBe(old);
    expect(shown).toMatch(/^Bearer /);
    expect(await page.getByLabel('Sign in as').inputValue()).toBe('alice');
    await expect.poll(() => introspections.length, POLL).toBeGreaterThan(0);
    expect(introspections).toEqual([shown]);
    await page.getByLabel('Execute query (Ctrl-Enter)').click();
    await expect.poll(async () => resultData(await resultShown(page))?.['viewer'], SHOWN).toBeDefined();
    expect(await resultShown(page)).toEqual({ data: { viewer: { id: 'alice' } } });
    console.info(`[browser] a tab of an earlier visit, its token renewed: ${await screenshot(page, 'graphiql-demo-renewed')}`);
    expect(errors).toEqual([]);
  }, 120_000);

  async function openGraphiQLAt(url: string): Promise<WatchedPage> {
    const watched = await openPage(browser);
    pages.push(watched);
    showOnFailure(watched.page);
    await watched.page.goto(url);
    await watched.page.locator(OPERATION_EDITOR).waitFor();
    return watched;
  }
});

interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  nodes: { html: string; target: string[] }[];
}

const OPERATION_EDITOR = 'section[aria-label="Operation Editor"] .monaco-editor';
const HEADERS_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor';
const RESULT_PANE = 'section[aria-label="Result Window"]';
/** How long GraphiQL may take to show a result (a subscription's: the server's change first goes through the projector). */
const SHOWN = { timeout: 30_000, interval: 50 };
/** How long the page or the server may take to follow an edit or a click. */
const POLL = { timeout: 15_000, interval: 50 };

interface ResultError {
  message?: string;
  extensions?: Record<string, unknown>;
}
interface Change {
  cursor: string;
  vmRequest: { id: string; status: string; vmName: string };
}

/** Replaces an editor's text as a paste would (no typing, so no auto-closed brackets or auto-indent). */
async function replaceText(page: Page, editor: string, text: string): Promise<void> {
  await page.locator(editor).click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
  await expect.poll(() => editorText(page, editor), POLL).toBe(text);
}

async function pasteHeaders(page: Page, headers: Record<string, string>): Promise<void> {
  await page.locator('button[data-name="headers"]').click();
  await replaceText(page, HEADERS_EDITOR, JSON.stringify(headers));
}

/** Pastes the operation, prettifies it, and waits until GraphiQL has taken in its name (a moment after the edit). */
async function setOperation(page: Page, name: string, text: string): Promise<void> {
  await replaceText(page, OPERATION_EDITOR, text);
  await page.getByLabel('Prettify query (Shift-Ctrl-P)').click();
  await expect.poll(() => editorText(page, OPERATION_EDITOR), POLL).toContain('\n');
  // Back to the top left, so a screenshot shows the operation from its start.
  await page.locator(OPERATION_EDITOR).click();
  await page.keyboard.press('Control+Home');
  await page.locator(`.graphiql-tab-active .graphiql-tab-button[title="${name}"]`).waitFor();
}

/**
 * The text an editor shows, from its rendered lines in screen order. Monaco wraps long lines (ids among them) and
 * starts each wrapped part with an indent span of its own (the only span without a token class): that part joins
 * the line before, without the indent, so the text is the one GraphiQL put in the editor.
 */
function editorText(page: Page, editor: string): Promise<string> {
  return page.evaluate((selector) => {
    const lines = [...document.querySelectorAll<HTMLElement>(`${selector} .view-line`)];
    lines.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
    let text = '';
    lines.forEach((line, index) => {
      const spans = [...(line.firstElementChild?.children ?? [])];
      const wrapped = index > 0 && spans[0]?.className === '';
      const shown = spans.slice(wrapped ? 1 : 0).map((span) => span.textContent ?? '');
      text += (index === 0 || wrapped ? '' : '\n') + shown.join('');
    });
    return text.replace(/\u00a0/g, ' ');
  }, editor);
}

/** The JSON the result pane shows (undefined while it shows none). */
async function resultShown(page: Page): Promise<unknown> {
  return parseJson(await editorText(page, RESULT_PANE));
}

/** A failing test prints a screenshot of the page and what the result pane shows. */
function showOnFailure(page: Page): void {
  onTestFailed(async () => {
    const shown = await editorText(page, RESULT_PANE).catch((error: unknown) => `(unreadable: ${String(error)})`);
    console.info(`[browser] page when the test failed: ${await screenshot(page, 'graphiql-failed')}; the result pane shows: ${shown}`);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function resultData(result: unknown): Record<string, unknown> | undefined {
  return (result as { data?: Record<string, unknown> } | undefined)?.data;
}

function firstError(result: unknown): ResultError | undefined {
  return (result as { errors?: ResultError[] } | undefined)?.errors?.[0];
}

function changeOf(result: unknown): Change | undefined {
  return resultData(result)?.['vmRequestChanges'] as Change | undefined;
}

/** The Authorization of the schema fetches (introspection POSTs) the page sends, in order. */
function watchIntrospections(page: Page): (string | undefined)[] {
  const seen: (string | undefined)[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && (request.postData() ?? '').includes('IntrospectionQuery')) seen.push(request.headers()['authorization']);
  });
  return seen;
}

/** The Authorization in the Headers tab as shown. */
async function authorizationShown(page: Page): Promise<string | undefined> {
  const text = await editorText(page, HEADERS_EDITOR);
  const headers = parseJson(text) as Record<string, string> | undefined;
  return headers?.['Authorization'];
}

async function openDocs(page: Page): Promise<void> {
  await page.getByLabel('Show Documentation Explorer').click();
}

/** The docs explorer lists the schema's root types (it says "Error fetching schema" without one). */
async function docsShowSchema(page: Page): Promise<void> {
  const docs = page.locator('.graphiql-doc-explorer');
  await docs.getByText('Root Types').waitFor();
  await docs.getByText('Query', { exact: true }).first().waitFor();
}

/** Console errors that matter: all but the browser's note on the 401 of the schema fetch made before any token. */
function unexpected(errors: readonly string[]): string[] {
  return errors.filter((error) => !/status of 401 \(Unauthorized\)/.test(error));
}
