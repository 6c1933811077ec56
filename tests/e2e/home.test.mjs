// The home page of the release build, in a real browser: it shows the default chain, does
// nothing wrong while doing so, talks to no other host, and shows a panic instead of
// leaving the page blank.
//
// Run after `trunk build --release`:  node --test tests/e2e/
// (that is Node 20's form; Node 22 and later want the files: node --test tests/e2e/*.test.mjs)

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';

import { foreignRequests, openRecordedPage } from './browser.mjs';

import { APP_TIMEOUT, RESULTS as SCREENSHOTS, describeApp } from './app.mjs';

describeApp('home page', { timeout: 120_000 }, (app) => {
  test('shows the default chain without errors or foreign requests', async () => {
    const { context, page, record } = await openRecordedPage(app.browser);
    try {
      await page.goto(`${app.origin}/`);
      await page.locator('[data-component-id="nginx"]').waitFor({ state: 'visible', timeout: APP_TIMEOUT });

      assert.equal(await page.title(), 'Stackwright');
      assert.ok(await page.getByRole('heading', { name: 'Stackwright', level: 1 }).isVisible());
      assert.ok(await page.getByRole('group', { name: 'Serving chain' }).isVisible());

      const nginx = page.locator('[data-component-id="nginx"]');
      assert.match(await nginx.textContent(), /nginx.*0\.0\.0\.0:8000/);

      const zopes = page.locator('[data-component-kind="zope"]');
      assert.equal(await zopes.count(), 4, 'four Zope instances');
      for (const zope of await zopes.all()) {
        assert.ok(await zope.isVisible(), `${await zope.getAttribute('data-component-id')} is visible`);
      }
      assert.match(await zopes.first().textContent(), /Instance 1.*127\.0\.0\.1:8001/);

      const database = page.locator('[data-component-id="database"]');
      assert.ok(await database.isVisible(), 'the database is visible');
      assert.match(await database.textContent(), /MariaDB.*localhost:3306/);
      assert.ok(await page.locator('[data-component-id="memcached"]').isVisible(), 'memcached is visible');

      // nginx -> Varnish -> HAProxy, then HAProxy -> each instance -> database and memcached.
      assert.equal(await page.locator('.sw-chain__edge').count(), 2 + 4 * 3);
      assert.ok(await page.locator('#fatal-error').isHidden(), 'no fatal error shown');

      await mkdir(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, 'home.png'), fullPage: true });

      assert.deepEqual(record.consoleErrors, [], 'console errors');
      assert.deepEqual(record.pageErrors, [], 'page errors');
      assert.deepEqual(record.failedRequests, [], 'failed requests');
      assert.deepEqual(foreignRequests(record.requests, app.origin), [], 'requests to other hosts');
      const wasm = record.requests.find((url) => url.endsWith('.wasm'));
      assert.ok(wasm, `the wasm was fetched; requests: ${record.requests.join(', ')}`);
      // Anything else makes the browser fall back from streaming compilation, with a warning.
      assert.equal(record.contentTypes.get(wasm), 'application/wasm');
    } finally {
      await context.close();
    }
  });

  test('follows a dark colour scheme', async () => {
    const { context, page, record } = await openRecordedPage(app.browser, { colorScheme: 'dark' });
    try {
      await page.goto(`${app.origin}/`);
      await page.locator('[data-component-id="nginx"]').waitFor({ state: 'visible', timeout: APP_TIMEOUT });
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const [red, green, blue] = background.match(/\d+/g).map(Number);
      assert.ok(red + green + blue < 3 * 64, `the background is dark, got ${background}`);

      await mkdir(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, 'home-dark.png'), fullPage: true });
      assert.deepEqual(record.pageErrors, [], 'page errors');
    } finally {
      await context.close();
    }
  });

  test('shows a panic in a visible alert', async () => {
    const { context, page, record } = await openRecordedPage(app.browser);
    try {
      await page.goto(`${app.origin}/#__panic`);
      const alert = page.getByRole('alert');
      await alert.waitFor({ state: 'visible', timeout: APP_TIMEOUT });
      const text = await alert.textContent();
      assert.match(text, /Stackwright stopped because of an internal error/);
      assert.match(text, /panic requested by the #__panic URL fragment/);

      await mkdir(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, 'panic.png') });

      // The panic is also logged for developers, and the aborted wasm surfaces as a page error.
      assert.ok(
        record.consoleErrors.some((message) => message.includes('__panic')),
        `the panic is logged; console errors: ${record.consoleErrors.join(' | ')}`,
      );
      assert.deepEqual(foreignRequests(record.requests, app.origin), [], 'requests to other hosts');
    } finally {
      await context.close();
    }
  });
});
