// What every browser test of the app shares: where the build is, how to open the app,
// and the landmarks and controls found by role and accessible name.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { launchChromium, openRecordedPage } from './browser.mjs';
import { serveDist } from './serve-dist.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = join(ROOT, 'dist');
export const RESULTS = join(ROOT, 'target', 'e2e');
/** How long the app may take to appear: wasm compiles slowly on a busy 2-core machine. */
export const APP_TIMEOUT = 30_000;
export const BUILT = existsSync(join(DIST, 'index.html'));

/**
 * Declares the browser tests of one file: first a test that fails, as one clear failure,
 * when there is no release build (rather than a cancelled test for every check), then
 * `describe(name)`, in which `body(app)` declares the tests. Before they run, `app.browser`
 * is a headless Chromium and `app.origin` the address the build is served at; after them
 * both are closed.
 */
export function describeApp(name, { timeout }, body) {
  test('dist/ holds the release build', () => {
    assert.ok(BUILT, `${DIST}/index.html is missing: run \`trunk build --release\` first`);
  });
  describe(name, { timeout, skip: !BUILT }, () => {
    let server;
    const app = {
      browser: undefined,
      get origin() {
        return server.origin;
      },
    };
    before(async () => {
      server = await serveDist(DIST);
      app.browser = await launchChromium();
    });
    after(async () => {
      await app.browser?.close();
      await server?.close();
    });
    body(app);
  });
}

/**
 * Figures a test file measures, by label: written after its tests as `name` under
 * `target/e2e/`, when any were measured.
 */
export function figuresWrittenTo(name) {
  const figures = {};
  after(async () => {
    if (Object.keys(figures).length > 0) {
      await mkdir(RESULTS, { recursive: true });
      await writeFile(join(RESULTS, name), `${JSON.stringify(figures, null, 2)}\n`);
    }
  });
  return figures;
}

/**
 * In the page: whether the app has seen the chain canvas's present size (it writes the
 * size of the drawing area as last measured in `data-canvas`, and fits the design to it).
 */
export function canvasMeasured() {
  const svg = document.querySelector('svg.sw-chain');
  return svg?.getAttribute('data-canvas') === `${svg?.clientWidth} ${svg?.clientHeight}`;
}

/** Opens the app at `origin` + `path` and waits for the chain, fitted to its canvas. */
export async function openApp(page, origin, path = '/') {
  await page.goto(`${origin}${path}`);
  await page.getByRole('button', { name: /^nginx, nginx, / }).waitFor({ timeout: APP_TIMEOUT });
  await page.waitForFunction(canvasMeasured);
}

/**
 * Opens the app at `origin` + `path` in a fresh recorded page and runs `body` with
 * `{ page, record, context }`. Afterwards the page must have thrown nothing and logged no
 * error; the page is closed whatever happened. `context` takes Playwright's options for a
 * new context (downloads, viewport, colour scheme).
 */
export async function withApp(browser, origin, body, { path = '/', context: options = {} } = {}) {
  const { context, page, record } = await openRecordedPage(browser, options);
  try {
    await openApp(page, origin, path);
    await body({ page, record, context });
    assert.deepEqual(record.pageErrors, [], 'page errors');
    assert.deepEqual(record.consoleErrors, [], 'console errors');
  } finally {
    await context.close();
  }
}

export const inspectorOf = (page) => page.getByRole('region', { name: 'Inspector' });
export const problemsOf = (page) => page.getByRole('region', { name: /^Problems/ });
export const filesOf = (page) => page.getByRole('region', { name: 'Files' });
export const settingsOf = (page) => page.getByRole('region', { name: 'Settings' });
/** The chain's box of a component, found by the start of its accessible name. */
export const node = (page, name) => page.getByRole('button', { name: new RegExp(`^${name}, `) });
export const zopeNodes = (page) => page.getByRole('button', { name: /, Zope instance, / });

/** Replaces a text field's value by typing it key by key, as a person would. */
export async function retype(field, value) {
  await field.click();
  await field.press('ControlOrMeta+a');
  await field.pressSequentially(value);
}

/**
 * Waits until the page's address carries a design whose link payload (the JSON merge
 * patch against the default design) matches `pattern`, and returns the address. The
 * address follows the design once typing pauses; this polls for that, not for a time.
 */
export async function addressWith(page, pattern) {
  return page.evaluate(
    async ([source, timeout]) => {
      const matching = async () => {
        const link = location.hash.match(/^#v[0-9]+s?\.([A-Za-z0-9_-]+)$/);
        if (!link) return null;
        const base64 = link[1].replace(/-/g, '+').replace(/_/g, '/');
        const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
        const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
        const inflated = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
        const patch = await new Response(inflated).text();
        return new RegExp(source).test(patch) ? location.href : null;
      };
      const deadline = performance.now() + timeout;
      for (;;) {
        const address = await matching();
        if (address) return address;
        if (performance.now() > deadline) throw new Error(`the address never carried /${source}/: ${location.hash}`);
        await new Promise((next) => requestAnimationFrame(next));
      }
    },
    [pattern.source, APP_TIMEOUT],
  );
}
