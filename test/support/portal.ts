import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
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
