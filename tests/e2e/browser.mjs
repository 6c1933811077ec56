// Starts Debian's Chromium through playwright-core and records what a page does, so each
// test can check that nothing went wrong and nothing left the machine.

import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that keep Chromium quiet: no sandbox (we run as root), no GPU, no calls home. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Launches headless Chromium, or fails with what to install. */
export async function launchChromium() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (scripts/setup.sh test)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Opens a page in a fresh context and records every request, the content type of each
 * response, every console error and page error, and each failed or unsuccessful response.
 * @param {import('playwright-core').Browser} browser
 * @param {import('playwright-core').BrowserContextOptions} [options]
 */
export async function openRecordedPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const record = {
    requests: [],
    contentTypes: new Map(),
    consoleErrors: [],
    pageErrors: [],
    failedRequests: [],
  };
  context.on('request', (request) => record.requests.push(request.url()));
  context.on('requestfailed', (request) =>
    record.failedRequests.push(`${request.url()}: ${request.failure()?.errorText}`),
  );
  context.on('response', (response) => {
    record.contentTypes.set(response.url(), response.headers()['content-type']);
    if (response.status() >= 400) {
      record.failedRequests.push(`${response.url()}: HTTP ${response.status()}`);
    }
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') {
      record.consoleErrors.push(message.text());
    }
  });
  page.on('pageerror', (error) => record.pageErrors.push(String(error)));
  return { context, page, record };
}

/** The requests that went anywhere but `origin`, ignoring in-page `data:` and `blob:` URLs. */
export function foreignRequests(requests, origin) {
  return requests.filter((url) => {
    const { protocol } = new URL(url);
    if (protocol === 'data:' || protocol === 'blob:') {
      return false;
    }
    return new URL(url).origin !== origin;
  });
}
