// The designer as a new user meets it, in a real browser: fields that take effect as you
// type, problems on the field, in the panel and on the node, instances added and removed,
// undo and redo, autosave across reloads, the zip download, imports, and the figures the
// closing note quotes (time to the chain, keystroke to file preview).
//
// Controls are found by role and accessible name only, the way assistive technology and
// people find them. Run after `trunk build --release`:  node --test tests/e2e/*.test.mjs

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';

import { openRecordedPage } from './browser.mjs';
import {
  APP_TIMEOUT, RESULTS, addressWith, describeApp, figuresWrittenTo, filesOf, inspectorOf, node, openApp, problemsOf, retype, settingsOf, withApp, zopeNodes,
} from './app.mjs';

/** Selects a component in the chain and returns its form. */
async function select(page, name) {
  await node(page, name).click();
  const inspector = inspectorOf(page);
  await inspector.getByRole('heading', { name: new RegExp(`${name}$`) }).waitFor();
  return inspector;
}

/** The text the files panel shows for the chosen file. */
async function preview(page) {
  return filesOf(page).getByRole('tabpanel').textContent();
}

describeApp('designer', { timeout: 300_000 }, (app) => {
  const figures = figuresWrittenTo('figures.json');

  test('a port clash shows on the field, in the panel and on the node, and goes when fixed', async () => {
    await withApp(app.browser, app.origin, async ({ page }) => {
      const inspector = await select(page, 'nginx');
      const http = inspector.getByLabel('HTTP port');
      assert.equal(await http.inputValue(), '8000');
      assert.equal(await http.getAttribute('aria-invalid'), 'false');

      await retype(http, '8100');
      // Typing kept the focus and the caret in the field.
      assert.ok(await http.evaluate((el) => el === document.activeElement), 'focus stays in the field');
      assert.equal(await http.evaluate((el) => el.selectionStart), 4, 'caret after the last digit');

      assert.equal(await http.getAttribute('aria-invalid'), 'true');
      const message = inspector.getByText(/port 8100 on host localhost is also used by Varnish/);
      await message.waitFor();
      // The message describes the field for assistive technology.
      const describedBy = await http.getAttribute('aria-describedby');
      const description = await page.evaluate(
        (ids) => ids.split(' ').map((id) => document.getElementById(id).textContent).join(' '),
        describedBy,
      );
      assert.match(description, /also used by Varnish/);

      const clashes = problemsOf(page).getByRole('button', { name: /port 8100 on host localhost is also used by/ });
      assert.equal(await clashes.count(), 2, 'one problem per listener');
      assert.match(await node(page, 'nginx').getAttribute('aria-label'), /1 error/);
      assert.match(await node(page, 'Varnish').getAttribute('aria-label'), /1 error/);
      assert.match(await page.getByRole('link', { name: /errors/ }).textContent(), /2 errors/);
      assert.ok(
        await settingsOf(page).getByRole('tab', { name: /^Ports \(2 errors\)/ }).isVisible(),
        'the Ports tab counts the clash',
      );
      const download = page.getByRole('button', { name: 'Download bundle' });
      assert.ok(await download.isDisabled(), 'no download while there are errors');
      assert.match(await page.getByText(/Fix the 2 errors to download/).textContent(), /Fix the 2 errors/);
      await mkdir(RESULTS, { recursive: true });
      await page.screenshot({ path: join(RESULTS, 'port-clash.png'), fullPage: true });

      // Clicking Varnish's problem selects Varnish and focuses its port.
      await clashes.filter({ hasText: 'also used by nginx' }).click();
      const varnishPort = inspector.getByLabel('Port', { exact: true });
      await inspector.getByRole('heading', { name: /Varnish$/ }).waitFor();
      await page.waitForFunction(() => document.activeElement?.id === 'sw-inspector-components.varnish.port');
      assert.equal(await varnishPort.inputValue(), '8100');

      // Fix it from the Ports panel this time.
      await settingsOf(page).getByRole('tab', { name: /^Ports/ }).click();
      const nginxPorts = settingsOf(page).getByRole('group', { name: 'nginx' });
      await retype(nginxPorts.getByLabel('HTTP port'), '8000');
      await page.getByRole('link', { name: /0 errors/ }).waitFor();
      assert.equal(await clashes.count(), 0);
      assert.equal(await varnishPort.getAttribute('aria-invalid'), 'false');
      assert.match(await node(page, 'nginx').getAttribute('aria-label'), /no problems/);
      assert.ok(await download.isEnabled(), 'download is back');
    });
  });

  test('adds and removes a Zope instance', async () => {
    await withApp(app.browser, app.origin, async ({ page }) => {
      assert.equal(await zopeNodes(page).count(), 4);
      await page.getByRole('button', { name: 'Add Zope instance' }).click();
      await node(page, 'Instance 5').waitFor();
      assert.match(await node(page, 'Instance 5').getAttribute('aria-label'), /127\.0\.0\.1:8005, no problems/);
      assert.equal(await zopeNodes(page).count(), 5);
      await page.getByText('5 of 64 Zope instances').waitFor();
      // The new instance is selected, and its files are rendered.
      await inspectorOf(page).getByRole('heading', { name: /Instance 5$/ }).waitFor();
      await filesOf(page).getByRole('tab', { name: 'etc/instance5/zope.conf' }).click();
      assert.match(await preview(page), /instance5/);
      await filesOf(page).getByRole('tab', { name: 'etc/haproxy.cfg' }).click();
      assert.match(await preview(page), /server instance5 127\.0\.0\.1:8005/);

      await inspectorOf(page).getByRole('button', { name: 'Remove this instance' }).click();
      await node(page, 'Instance 5').waitFor({ state: 'detached' });
      assert.equal(await zopeNodes(page).count(), 4);
      assert.equal(await filesOf(page).getByRole('tab', { name: 'etc/instance5/zope.conf' }).count(), 0);
      assert.doesNotMatch(await preview(page), /instance5/);
      assert.match(await inspectorOf(page).textContent(), /Select a component/);
    });
  });

  test('undo and redo, from the buttons and the keyboard, typing merged per field', async () => {
    await withApp(app.browser, app.origin, async ({ page }) => {
      const undo = page.getByRole('button', { name: 'Undo' });
      const redo = page.getByRole('button', { name: 'Redo' });
      assert.ok(await undo.isDisabled(), 'nothing to undo yet');
      await settingsOf(page).getByRole('tab', { name: /^Sites/ }).click();
      const siteId = settingsOf(page).getByLabel('Site id');
      await retype(siteId, 'Intranet');
      assert.equal(await siteId.inputValue(), 'Intranet');
      await page.getByRole('button', { name: 'Add Zope instance' }).click();
      await node(page, 'Instance 5').waitFor();

      // One click takes back the instance, the next the whole word typed.
      await undo.click();
      await node(page, 'Instance 5').waitFor({ state: 'detached' });
      assert.equal(await siteId.inputValue(), 'Intranet');
      await undo.click();
      assert.equal(await siteId.inputValue(), 'Plone', 'the typing was one step');
      assert.ok(await undo.isDisabled());
      await redo.click();
      assert.equal(await siteId.inputValue(), 'Intranet');

      // The keyboard, away from text fields.
      await page.getByRole('heading', { name: 'Stackwright' }).click();
      await page.keyboard.press('Control+Shift+Z');
      await node(page, 'Instance 5').waitFor();
      await page.keyboard.press('Control+Z');
      await node(page, 'Instance 5').waitFor({ state: 'detached' });
      await page.keyboard.press('Control+Y');
      await node(page, 'Instance 5').waitFor();

      // In a text field Ctrl+Z is the browser's own undo of the typing, not the app's.
      await retype(siteId, 'Extranet');
      await siteId.press('Control+Z');
      assert.notEqual(await siteId.inputValue(), 'Extranet', 'the browser undid the typing');
      assert.equal(await zopeNodes(page).count(), 5, 'the app did not undo the added instance');
    });
  });

  test('reload restores the design; an unreadable saved design is kept aside; a panic keeps it', async () => {
    const { context, page, record } = await openRecordedPage(app.browser);
    try {
      await openApp(page, app.origin);
      let inspector = await select(page, 'nginx');
      await retype(inspector.getByLabel('HTTP port'), '8080');
      await page.getByRole('button', { name: 'Add Zope instance' }).click();
      await node(page, 'Instance 5').waitFor();

      await page.reload();
      await page.getByRole('button', { name: /^nginx, nginx, 0\.0\.0\.0:8080, / }).waitFor({ timeout: APP_TIMEOUT });
      assert.equal(await zopeNodes(page).count(), 5, 'the added instance came back');

      // A panic shows a message, and the saved design survives it.
      // A fresh load: from the same page, only the fragment would change.
      await page.goto('about:blank');
      await page.goto(`${app.origin}/#__panic`);
      const fatal = page.getByRole('alert').filter({ hasText: 'internal error' });
      await fatal.waitFor({ timeout: APP_TIMEOUT });
      assert.match(await fatal.textContent(), /Your design is saved in this browser/);
      await page.goto(`${app.origin}/`);
      await page.reload();
      await page.getByRole('button', { name: /^nginx, nginx, 0\.0\.0\.0:8080, / }).waitFor({ timeout: APP_TIMEOUT });
      assert.equal(await zopeNodes(page).count(), 5);

      // A saved design that cannot be read is moved aside and the user is told.
      await page.evaluate(() => localStorage.setItem('stackwright.design', '{"version": 1, "settings": '));
      await page.reload();
      await page.getByRole('button', { name: /^nginx, nginx, 0\.0\.0\.0:8000, / }).waitFor({ timeout: APP_TIMEOUT });
      const alert = page.getByRole('alert');
      assert.match(await alert.textContent(), /could not be read/);
      assert.match(await alert.textContent(), /stackwright\.design\.unreadable/);
      assert.equal(
        await page.evaluate(() => localStorage.getItem('stackwright.design.unreadable')),
        '{"version": 1, "settings": ',
        'the unreadable design is kept as it was',
      );
      assert.equal(await zopeNodes(page).count(), 4, 'the exercise defaults');
      assert.ok(
        record.pageErrors.every((error) => /unreachable|__panic|RuntimeError/.test(error)),
        `only the requested panic: ${record.pageErrors.join(' | ')}`,
      );
    } finally {
      await context.close();
    }
  });

  test('reset asks first', async () => {
    await withApp(app.browser, app.origin, async ({ page }) => {
      await page.getByRole('button', { name: 'Add Zope instance' }).click();
      await page.getByRole('button', { name: 'Reset…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Reset to a new design?' });
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      assert.equal(await zopeNodes(page).count(), 5, 'cancel keeps the design');
      await page.getByRole('button', { name: 'Reset…' }).click();
      await dialog.getByRole('button', { name: 'Reset to a new design' }).click();
      await node(page, 'Instance 5').waitFor({ state: 'detached' });
      assert.equal(await zopeNodes(page).count(), 4);
      await page.getByRole('button', { name: 'Undo' }).click();
      assert.equal(await zopeNodes(page).count(), 5, 'reset can be undone');
    });
  });

  test('downloads the bundle; unzip finds every file and the port typed in the form', async () => {
    const { context, page, record } = await openRecordedPage(app.browser, { acceptDownloads: true });
    const folder = await mkdtemp(join(tmpdir(), 'stackwright-e2e-'));
    try {
      await openApp(page, app.origin);
      const inspector = await select(page, 'nginx');
      await retype(inspector.getByLabel('HTTP port'), '8081');
      await page.getByRole('link', { name: /0 errors/ }).waitFor();
      const expected = (await filesOf(page).getByRole('tab').allTextContents()).sort();
      assert.ok(expected.length >= 20, `files listed: ${expected.length}`);

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download bundle' }).click(),
      ]);
      assert.equal(download.suggestedFilename(), 'plone-deployment.zip');
      const zip = join(folder, download.suggestedFilename());
      await download.saveAs(zip);
      execFileSync('unzip', ['-t', '-q', zip]);
      execFileSync('unzip', ['-q', zip, '-d', folder]);
      const top = join(folder, 'plone-deployment');
      const found = (await readdir(top, { recursive: true, withFileTypes: true }))
        .filter((entry) => entry.isFile())
        .map((entry) => relative(top, join(entry.parentPath ?? entry.path, entry.name)))
        .sort();
      assert.deepEqual(found, expected, 'the zip holds every file the panel shows');
      const nginx = await readFile(join(top, 'etc', 'nginx.conf'), 'utf8');
      assert.match(nginx, /listen 8081;/);
      assert.doesNotMatch(nginx, /listen 8000;/);
      const setup = execFileSync('unzip', ['-Z', zip, 'plone-deployment/bin/setup'], { encoding: 'utf8' });
      assert.match(setup, /^-rwxr-xr-x/, 'scripts stay executable');
      assert.deepEqual(record.pageErrors, [], 'page errors');
    } finally {
      await context.close();
      await rm(folder, { recursive: true, force: true });
    }
  });

  test('what is typed just before leaving the page is saved', async () => {
    await withApp(app.browser, app.origin, async ({ page }) => {
      const inspector = await select(page, 'nginx');
      // Autosave waits for typing to pause; leaving the page must not lose the last keys.
      await retype(inspector.getByLabel('HTTP port'), '8086');
      await page.reload();
      await page.getByRole('button', { name: /^nginx, nginx, 0\.0\.0\.0:8086, / }).waitFor({ timeout: APP_TIMEOUT });
    });
  });

  test('imports a topology.json by picker and by drop; a bad file changes nothing', async () => {
    await withApp(app.browser, app.origin, async ({ page }) => {
      const picker = page.getByLabel('Import topology.json');
      const saved = await page.evaluate(() => localStorage.getItem('stackwright.design'));
      const design = JSON.parse(saved);

      await picker.setInputFiles({
        name: 'bad.json',
        mimeType: 'application/json',
        buffer: Buffer.from('{"version": 1, "settings": {'),
      });
      const alert = page.getByRole('alert');
      await alert.waitFor();
      assert.match(await alert.textContent(), /Could not import bad\.json: line 1, column \d+/);
      assert.match(await alert.textContent(), /Your design is unchanged/);
      assert.equal(await zopeNodes(page).count(), 4);
      assert.equal(await page.evaluate(() => localStorage.getItem('stackwright.design')), saved);

      await picker.setInputFiles({
        name: 'future.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify({ ...design, version: 7 })),
      });
      await page.getByRole('alert').filter({ hasText: 'future.json' }).waitFor();
      assert.match(await page.getByRole('alert').textContent(), /newer than this Stackwright reads/);

      design.settings.site_id = 'Imported';
      design.components.find((c) => c.id === 'nginx').settings.http_port = 8090;
      await picker.setInputFiles({
        name: 'topology.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify(design)),
      });
      await page.getByRole('status').filter({ hasText: 'Imported topology.json' }).waitFor();
      await page.getByRole('button', { name: /^nginx, nginx, 0\.0\.0\.0:8090, / }).waitFor();

      // Drag and drop a file onto the page.
      design.components.find((c) => c.id === 'nginx').settings.http_port = 8091;
      const transfer = await page.evaluateHandle((text) => {
        const data = new DataTransfer();
        data.items.add(new File([text], 'dropped.json', { type: 'application/json' }));
        return data;
      }, JSON.stringify(design));
      await page.dispatchEvent('body', 'dragover', { dataTransfer: transfer });
      await page.dispatchEvent('body', 'drop', { dataTransfer: transfer });
      await page.getByRole('button', { name: /^nginx, nginx, 0\.0\.0\.0:8091, / }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Imported dropped.json' }).waitFor();
    });
  });

  test('the address follows the design and opens elsewhere; Share copies a link, passwords only if asked', async () => {
    const { context, page, record } = await openRecordedPage(app.browser);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.origin });
    try {
      await openApp(page, app.origin);
      await settingsOf(page).getByRole('tab', { name: /^Sites/ }).click();
      await retype(settingsOf(page).getByLabel('Site id'), 'Shared');
      // The address bar catches up once typing pauses.
      const address = await addressWith(page, /"site_id":"Shared"/);
      assert.equal(new URL(address).pathname, '/', 'the design is only in the fragment');

      await page.getByRole('button', { name: 'Share…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Share this design' });
      const link = dialog.getByLabel('Link');
      assert.equal(await link.inputValue(), address, 'the copied link is the address');
      await dialog.getByLabel('Include passwords').check();
      assert.match(await link.inputValue(), /#v3s\./);
      await dialog.getByRole('button', { name: 'Copy link' }).click();
      await dialog.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await link.inputValue());
      await dialog.getByRole('button', { name: 'Close' }).click();

      // The files panel copies the file shown.
      await filesOf(page).getByRole('button', { name: 'Copy' }).click();
      await filesOf(page).getByRole('button', { name: 'Copied' }).waitFor();
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      assert.match(copied, /^# nginx for plone-deployment/);
      assert.match(copied, /VirtualHostRoot/);
      assert.doesNotMatch(copied, /^\s*1\s/m, 'no line numbers in the copy');

      // Someone else opens the address: the design without its passwords.
      const other = await openRecordedPage(app.browser);
      try {
        await other.page.goto(address);
        await node(other.page, 'nginx').waitFor({ timeout: APP_TIMEOUT });
        const notice = other.page.getByRole('status').filter({ hasText: 'Opened the design from the link' });
        await notice.waitFor();
        assert.match(await notice.textContent(), /carries no passwords/);
        await settingsOf(other.page).getByRole('tab', { name: /^Sites/ }).click();
        assert.equal(await settingsOf(other.page).getByLabel('Site id').inputValue(), 'Shared');
        assert.ok(await other.page.getByRole('button', { name: 'Download bundle' }).isDisabled(), 'passwords to fill first');
        assert.deepEqual(other.record.pageErrors, [], 'page errors');
      } finally {
        await other.context.close();
      }
      assert.deepEqual(record.pageErrors, [], 'page errors');
    } finally {
      await context.close();
    }
  });

  test('passwords can be shown and generated', async () => {
    await withApp(app.browser, app.origin, async ({ page }) => {
      await settingsOf(page).getByRole('tab', { name: /^Passwords/ }).click();
      const group = settingsOf(page).getByRole('group', { name: 'MariaDB' });
      const password = group.getByLabel('Database password', { exact: true });
      assert.equal(await password.getAttribute('type'), 'password');
      await group.getByRole('button', { name: 'Show Database password' }).click();
      assert.equal(await password.getAttribute('type'), 'text');
      // A new design has random passwords of its own.
      const first = await password.inputValue();
      assert.match(first, /^[A-Za-z0-9]{24}$/);
      await retype(password, 'secret');
      assert.match(await group.textContent(), /still the exercise's "secret"/);
      await group.getByRole('button', { name: 'Generate Database password' }).click();
      const generated = await password.inputValue();
      assert.match(generated, /^[A-Za-z0-9]{24}$/);
      assert.notEqual(generated, first);
      assert.doesNotMatch(await group.textContent(), /still the exercise's/);
      await filesOf(page).getByRole('tab', { name: 'sql/create-database.sql' }).click();
      assert.ok((await preview(page)).includes(generated), 'the SQL carries the new password');
    });
  });

  /**
   * Types `value` into the focused field key by key and measures, in the page, the time
   * from each keydown to the file preview showing `expected(prefix)` (DOM updated) and to
   * the next animation frame (painted).
   */
  async function keystrokeTimes(page, value, expected) {
    const times = [];
    for (let i = 1; i <= value.length; i++) {
      const text = expected(value.slice(0, i));
      await page.evaluate((text) => {
        const view = document.getElementById('sw-file-view');
        window.__swKeydown = null;
        document.addEventListener('keydown', (event) => { window.__swKeydown = event.timeStamp; }, { once: true, capture: true });
        window.__swShown = new Promise((resolve) => {
          const done = () => {
            const dom = performance.now();
            requestAnimationFrame(() => resolve({ dom: dom - window.__swKeydown, frame: performance.now() - window.__swKeydown }));
          };
          const observer = new MutationObserver(() => {
            if (window.__swKeydown !== null && view.textContent.includes(text)) {
              observer.disconnect();
              done();
            }
          });
          observer.observe(view, { subtree: true, childList: true, characterData: true });
        });
      }, text);
      await page.keyboard.press(value[i - 1]);
      times.push(await page.evaluate(() => window.__swShown));
    }
    return times;
  }

  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  };
  const round = (n) => Math.round(n * 10) / 10;

  /** Measures navigation -> chain visible on a fresh load of whatever design is saved. */
  async function chainVisible(page) {
    await page.goto(`${app.origin}/`);
    const ms = await page.waitForFunction(
      () => {
        const nginx = [...document.querySelectorAll('[role=button]')].find((el) => /^nginx, /.test(el.getAttribute('aria-label') ?? ''));
        return nginx && nginx.getBoundingClientRect().width > 0 ? performance.now() : false;
      },
      null,
      { polling: 'raf', timeout: APP_TIMEOUT },
    );
    return ms.jsonValue();
  }

  for (const [label, preset] of [['default design', null], ['64 instances on 8 hosts', '64 instances on 8 hosts']]) {
    test(`performance: ${label}`, async () => {
      await withApp(app.browser, app.origin, async ({ page }) => {
        if (preset) {
          await page.getByLabel('Preset').selectOption({ label: preset });
          await zopeNodes(page).nth(63).waitFor();
        }
        // Three loads; the first may include compiling the wasm cold.
        const loads = [];
        for (let i = 0; i < 3; i++) {
          loads.push(await chainVisible(page));
        }
        assert.equal(await zopeNodes(page).count(), preset ? 64 : 4);
        const inspector = await select(page, 'nginx');
        const http = inspector.getByLabel('HTTP port');
        await http.click();
        await http.press('ControlOrMeta+a');
        const times = await keystrokeTimes(page, '8081', (port) => `listen ${port};`);
        assert.match(await preview(page), /listen 8081;/);
        const result = {
          chainVisibleMs: loads.map(round),
          keystrokeToPreviewDomMs: times.map((t) => round(t.dom)),
          keystrokeToPreviewFrameMs: times.map((t) => round(t.frame)),
          medianKeystrokeToPreviewFrameMs: round(median(times.map((t) => t.frame))),
        };
        figures[label] = result;
        console.log(`perf ${label}: ${JSON.stringify(result)}`);
      });
    });
  }

  test('is usable at 1024 px wide', async () => {
    await withApp(app.browser, app.origin, async ({ page }) => {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no horizontal scrolling, got ${overflow}px too wide`);
      for (const name of ['Undo', 'Redo', 'Reset…', 'Download bundle']) {
        assert.ok(await page.getByRole('button', { name }).isVisible(), `${name} is visible`);
      }
      await select(page, 'HAProxy');
      await mkdir(RESULTS, { recursive: true });
      await page.screenshot({ path: join(RESULTS, 'designer-1024.png'), fullPage: true });
    }, { context: { viewport: { width: 1024, height: 768 } } });
  });
});
