import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { chromiumForTests, launchChromium, openPage, screenshot, type WatchedPage } from '../support/browser.ts';
import { type DevProcess, spawnDev } from '../support/dev-process.ts';
import { alice, bob } from '../support/personas.ts';
import { markNotReloaded, notReloaded, signInAs, startPortalServer } from '../support/portal.ts';
import type { TestServer } from '../support/server.ts';
import { createProject } from './portal-request-fixtures.ts';
import { createRequest } from './graphql-fixtures.ts';

// `npm run dev:web` as someone working on the portal runs it: Vite's dev server (hot reload, the sources as modules)
// in front of a running API. Everything the app asks of the API goes through Vite's proxy: the sign-in routes, GraphQL
// over HTTP and the live feed's WebSocket, and the usage CSV; the app's own paths (/reports) stay Vite's.

const chromiumPath = chromiumForTests();
const LIVE = { timeout: 30_000 };

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe.skipIf(chromiumPath === null)('npm run dev:web against a running API', () => {
  let server: TestServer;
  let vite: DevProcess;
  let viteOrigin: string;
  let browser: Browser;
  let projectId: string;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    server = await startPortalServer([alice, bob]);
    projectId = await createProject(server, await server.token(bob), 'Web shop', ['alice']);
    // Its own process group, so stopping it stops npm and Vite together.
    vite = spawnDev('npm', ['run', 'dev:web', '--', '--strictPort'], {
      env: { DVMM_API_URL: server.origin, DVMM_WEB_PORT: String(await freePort()) },
      detached: true,
    });
    // eslint-disable-next-line no-control-regex
    const [, local] = await vite.waitFor(/Local:\s+(http:\/\/[^\s/]+)/, 60_000);
    viteOrigin = local!;
    browser = await launchChromium(chromiumPath!);
  }, 120_000);
  afterAll(async () => {
    for (const watched of pages) await watched.close();
    await browser?.close();
    if (vite?.child.pid && vite.child.exitCode === null) {
      process.kill(-vite.child.pid, 'SIGTERM');
      await vite.exited;
    }
    await server?.close();
  });

  async function signedIn(userId: string, path: string): Promise<WatchedPage> {
    const watched = await openPage(browser);
    pages.push(watched);
    onTestFailed(async () => {
      console.log(`[browser] ${userId} failed at ${watched.page.url()}: ${await screenshot(watched.page, `portal-dev-web-${userId}-failure`)}`, watched.errors);
      console.log(`[vite] ${vite.lines.slice(-20).join('\n')}`);
    });
    await signInAs(watched.page, viteOrigin, userId, path);
    await markNotReloaded(watched.page);
    return watched;
  }

  it("serves the app from its sources with Vite's hot reload client; alice signs in and her list is live", async () => {
    const { page, errors, outsideRequests } = await signedIn('alice', '/');
    await page.getByRole('heading', { level: 1, name: 'My requests' }).waitFor();
    const loaded = await page.evaluate(() => performance.getEntriesByType('resource').map((entry) => new URL(entry.name).pathname));
    // The dev server's modules, not the build in web/dist: the hot reload client and the app's own source files.
    expect(loaded).toContain('/@vite/client');
    expect(loaded.some((path) => path.startsWith('/src/') && path.endsWith('.tsx'))).toBe(true);
    expect(loaded.some((path) => path.startsWith('/assets/index-'))).toBe(false);

    // A request made elsewhere arrives over the proxied WebSocket.
    await createRequest(server, await server.token(alice), projectId, { vmName: 'dev-web-01' });
    await page.getByRole('row', { name: /dev-web-01/ }).waitFor(LIVE);
    expect(await notReloaded(page)).toBe(true);
    console.log(`[browser] my requests through npm run dev:web: ${await screenshot(page, 'portal-dev-web-my-requests')}`);
    expect(errors).toEqual([]);
    expect(outsideRequests).toEqual([]);
  }, 120_000);

  it('keeps /reports a page of the app and fetches its CSV from the API', async () => {
    const { page, errors } = await signedIn('bob', '/reports');
    await page.getByRole('heading', { name: 'Usage reports', level: 1 }).waitFor();
    const month = await page.getByLabel('Month').inputValue();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    const saved = await readFile((await download.path())!);
    const direct = await fetch(`${server.origin}/reports/usage.csv?month=${month}`, { headers: { Authorization: `Bearer ${await server.token(bob)}` } });
    expect(direct.status).toBe(200);
    expect(saved.equals(Buffer.from(await direct.arrayBuffer()))).toBe(true);
    expect(errors).toEqual([]);
  }, 120_000);
});
