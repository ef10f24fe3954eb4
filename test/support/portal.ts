import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { onTestFailed } from 'vitest';
import { openPage, screenshot, type WatchedPage } from './browser.ts';
import type { Principal } from '../../src/domain/principal.ts';
import { startTestServer, type TestServer, type TestServerOptions } from './server.ts';

/**
 * A real server for the portal's browser tests: the built web app at /, the development sign-in offering `users`
 * (tokens minted with the server's own secret), and provisioning on the simulated hypervisor with short stages so a
 * request walks to READY in a few seconds.
 */
export async function startPortalServer(users: readonly Principal[], options: TestServerOptions = {}): Promise<TestServer> {
  let server: TestServer | undefined;
  const demoUsers = async () =>
    Promise.all(
      users.map(async (principal) => {
        const token = await server!.token(principal, { expiresIn: '2h' });
        return { principal, token, headers: JSON.stringify({ Authorization: `Bearer ${token}` }) };
      }),
    );
  server = await startTestServer({ provisioning: { stageMs: 150 }, portalAuth: { demoUsers }, ...options });
  return server;
}

/** Signs in through the development sign-in page as a person would: open it, click their button, land on `next`. */
export async function signInAs(page: Page, origin: string, userId: string, next = '/'): Promise<void> {
  await page.goto(`${origin}/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByRole('button', { name: new RegExp(`^Sign in as ${userId}\\b`) }).click();
  await page.locator('[data-connection="live"]').waitFor();
}

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's serious and critical violations on the page as it is now, one line each (empty when none). */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const result = await axe.run();
    return result.violations.map(({ id, impact, help, nodes }) => ({ id, impact, help, targets: nodes.map((node) => node.target.join(' ')) }));
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.impact} ${violation.id}: ${violation.help} (${violation.targets.join(', ')})`);
}

/** Marks the page; `notReloaded` then says whether it is still the same document (a reload would drop the mark). */
export async function markNotReloaded(page: Page): Promise<void> {
  await page.evaluate('window.notReloaded = true');
}

export async function notReloaded(page: Page): Promise<boolean> {
  return (await page.evaluate('window.notReloaded === true')) as boolean;
}

/**
 * A page in a browser context of its own, signed in as `userId` on `path` (its `h1` shown) and marked for
 * `notReloaded`; kept in `pages` for the file to close. When the running test fails, the page's screenshot path and
 * errors are printed.
 */
export async function signedInPage(browser: Browser, origin: string, userId: string, path: string, pages: WatchedPage[]): Promise<WatchedPage> {
  const watched = await openPage(browser);
  pages.push(watched);
  onTestFailed(async () => {
    console.log(`[browser] ${userId} failed at ${watched.page.url()}: ${await screenshot(watched.page, `portal-${userId}-failure`)}`, watched.errors);
  });
  await signInAs(watched.page, origin, userId, path);
  await watched.page.getByRole('heading', { level: 1 }).waitFor();
  await markNotReloaded(watched.page);
  return watched;
}
