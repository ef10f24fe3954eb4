import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumForTests, launchChromium, openPage, screenshot, type WatchedPage } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { ApproveVmRequestDocument } from './generated/graphql.ts';
import { dataOf, http } from './graphql-clients.ts';
import { createRequest, eventually, setupTenant, type Tenant } from './graphql-fixtures.ts';

// GraphiQL as a person uses it, in a real (headless) Chromium: open /graphql, paste a token into the Headers tab,
// run a query, run a subscription and watch changes made by others arrive. The page may reach this machine only.

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

  async function openGraphiQL(): Promise<WatchedPage> {
    const watched = await openPage(browser);
    pages.push(watched);
    await watched.page.goto(server.url);
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
    const refused = await waitForResult(page, (result) => firstError(result)?.extensions?.['code'] === 'UNAUTHENTICATED');
    expect(firstError(refused)?.message).toContain('Authorization');
    expect(outsideRequests).toEqual([]);
    expect(unexpected(errors)).toEqual([]);
  });

  it('runs a query with a token pasted into the Headers tab', async () => {
    const { page, outsideRequests, errors } = await openGraphiQL();
    await pasteHeaders(page, { Authorization: `Bearer ${tenant.aliceToken}` });
    await setOperation(page, 'Viewer', 'query Viewer { viewer { id tenantId roles } vmSizes { size vcpus memoryGb } }');
    await page.getByLabel('Execute query (Ctrl-Enter)').click();

    const result = await waitForResult(page, (value) => resultData(value)?.['viewer'] !== undefined);
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
    await eventually(async () => server.services.live.subscriberCount(), (count) => count > subscribersBefore);
    expect(sockets).toEqual([server.wsUrl]);

    const vmName = `browser-vm-${Date.now().toString(36)}`;
    const created = await createRequest(server, tenant.aliceToken, tenant.projectId, { vmName });
    const pending = await waitForResult(page, (value) => changeOf(value)?.vmRequest.status === 'PENDING');
    expect(changeOf(pending)?.vmRequest).toEqual({ id: created.id, status: 'PENDING', vmName });
    console.info(`[browser] subscription, after createVmRequest: ${await screenshot(page, 'graphiql-subscription-pending')}`);

    const approved = dataOf(
      await http(server.url, tenant.adminToken, ApproveVmRequestDocument, {
        input: { id: created.id, expectedVersion: created.version },
      }),
    ).approveVmRequest;
    expect(approved.__typename).toBe('ApproveVmRequestPayload');
    const live = await waitForResult(page, (value) => changeOf(value)?.vmRequest.status === 'APPROVED');
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

    const refused = await waitForResult(page, (value) => firstError(value)?.extensions?.['closeCode'] === 4403);
    expect(firstError(refused)?.extensions).toEqual({ code: 'UNAUTHENTICATED', closeCode: 4403, closeReason: 'Forbidden' });
    expect(firstError(refused)?.message).toContain('Headers tab');
    console.info(`[browser] subscription without a token: ${await screenshot(page, 'graphiql-subscription-no-token')}`);
    // Over, not retrying: the run button is back, and the one attempt carried no token.
    await page.getByLabel('Execute query (Ctrl-Enter)').waitFor();
    expect(initPayloads).toEqual([{}]);
    expect(outsideRequests).toEqual([]);
    expect(unexpected(errors)).toEqual([]);
  });
});

const OPERATION_EDITOR = 'section[aria-label="Operation Editor"] .monaco-editor';
const HEADERS_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor';
const RESULT_PANE = 'section[aria-label="Result Window"]';

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
  await eventually(() => editorText(page, editor), (shown) => shown === text);
}

async function pasteHeaders(page: Page, headers: Record<string, string>): Promise<void> {
  await page.locator('button[data-name="headers"]').click();
  await replaceText(page, HEADERS_EDITOR, JSON.stringify(headers));
}

/** Pastes the operation, prettifies it, and waits until GraphiQL has taken in its name (a moment after the edit). */
async function setOperation(page: Page, name: string, text: string): Promise<void> {
  await replaceText(page, OPERATION_EDITOR, text);
  await page.getByLabel('Prettify query (Shift-Ctrl-P)').click();
  await eventually(() => editorText(page, OPERATION_EDITOR), (shown) => shown.includes('\n'));
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

/** Waits until the result pane shows JSON that satisfies `done`, and returns it. */
async function waitForResult(page: Page, done: (result: unknown) => boolean): Promise<unknown> {
  let shown = '';
  try {
    return await eventually(
      async () => {
        shown = await editorText(page, RESULT_PANE);
        return parseJson(shown);
      },
      (result) => result !== undefined && done(result),
      30_000,
    );
  } catch (error) {
    console.info(`[browser] result pane when giving up: ${await screenshot(page, 'graphiql-gave-up')}`);
    throw new Error(`${String(error)}; the result pane shows: ${shown}`);
  }
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

/** Console errors that matter: all but the browser's note on the 401 of the schema fetch made before any token. */
function unexpected(errors: readonly string[]): string[] {
  return errors.filter((error) => !/status of 401 \(Unauthorized\)/.test(error));
}
