import { accessSync, constants, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * Browser tests drive the machine's Chromium (Debian's `chromium` package) with playwright-core, which downloads no
 * browser of its own. Without a Chromium they skip with a hint, so `npm test` passes on a machine with Node.js only;
 * under CI=true they fail instead, since CI must run them (.ci/run installs Chromium first).
 */
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

// Headless, and quiet on the network: no component updates, sync, QUIC or other background traffic. Resolving any
// name but localhost fails, so nothing can leave the machine even if a page asked for it (requests are also checked
// and aborted in openPage).
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE [::1]',
];

export const INSTALL_HINT =
  'Install Chromium to run them: `sudo apt-get install -y chromium` (Debian/Ubuntu), or point CHROMIUM_PATH at a ' +
  'Chromium or Chrome binary.';

/** CHROMIUM_PATH when set (null if it is not an executable), else the first of the usual Debian/Ubuntu paths. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.CHROMIUM_PATH) return isExecutable(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : null;
  return CANDIDATES.find(isExecutable) ?? null;
}

/**
 * The Chromium for this test file, or null after printing why the browser tests skip. Under CI=true a missing
 * Chromium throws, so the file fails loudly rather than passing with nothing run.
 */
export function chromiumForTests(env: NodeJS.ProcessEnv = process.env): string | null {
  const found = findChromium(env);
  if (found) return found;
  const looked = env.CHROMIUM_PATH ? `CHROMIUM_PATH=${env.CHROMIUM_PATH}` : CANDIDATES.join(', ');
  const message = `No Chromium found (looked at ${looked}).`;
  if (env.CI === 'true') throw new Error(`${message} Under CI=true the browser tests must run (.ci/run installs Chromium). ${INSTALL_HINT}`);
  console.warn(`Browser tests skipped. ${message} ${INSTALL_HINT}`);
  return null;
}

/** Headless Chromium; playwright gives each launch a fresh temporary profile and deletes it on close. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: 60_000 });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Every request and WebSocket that went (or tried to go) anywhere but this machine; those requests were aborted. */
  outsideRequests: string[];
  /** Console errors and uncaught page errors, in order. */
  errors: string[];
  close(): Promise<void>;
}

/** A page in a new context that may talk to the loopback only, with what it logged as errors collected. */
export async function openPage(browser: Browser, options: { width?: number; height?: number } = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1400, height: options.height ?? 1000 } });
  // Generous: the whole suite shares two cores, and GraphiQL's page is 9 MB of JavaScript.
  context.setDefaultTimeout(60_000);
  const outsideRequests: string[] = [];
  const errors: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isLocal(url)) return route.continue();
    outsideRequests.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('websocket', (socket) => {
    if (!isLocal(socket.url())) outsideRequests.push(socket.url());
  });
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  return { page, context, outsideRequests, errors, close: () => context.close() };
}

/** Saves a full-page screenshot under the OS temp folder (never in the repository) and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const folder = join(tmpdir(), 'dvmm-browser-screenshots');
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** data:, blob: and about: URLs, and http(s)/ws(s) to localhost, 127.0.0.0/8 or [::1]. */
export function isLocal(url: string): boolean {
  const parsed = new URL(url);
  if (['data:', 'blob:', 'about:'].includes(parsed.protocol)) return true;
  const host = parsed.hostname;
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
