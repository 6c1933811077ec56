// Opening a share link while this browser holds another design, and importing a buildout:
// the user chooses which design to keep and loses neither; a damaged link changes nothing;
// the exercise's buildout, picked as several files or as a zip of its folder, gives the
// default design and lists what the importer did not understand.
//
// Controls are found by role and accessible name only. Run after `trunk build --release`:
// node --test tests/e2e/*.test.mjs

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { openRecordedPage } from './browser.mjs';
import {
  APP_TIMEOUT, ROOT, addressWith, describeApp, inspectorOf, openApp, problemsOf, retype, settingsOf, withApp,
  zopeNodes,
} from './app.mjs';

const EXERCISE = join(ROOT, 'core', 'tests', 'import', 'exercise');
const SAVED = 'stackwright.design';

/** Opens the app at a whole address (with its fragment) and waits for the chain. */
const openAt = (page, address) => openApp(page, address, '');
const linkDialog = (page) => page.getByRole('dialog', { name: 'Open the design from this link?' });

/** The nginx HTTP port field, after selecting nginx. */
async function httpPort(page) {
  await page.getByRole('button', { name: /^nginx, nginx, / }).click();
  const inspector = inspectorOf(page);
  await inspector.getByRole('heading', { name: /nginx$/ }).waitFor();
  return inspector.getByLabel('HTTP port');
}

async function siteId(page) {
  await settingsOf(page).getByRole('tab', { name: /^Sites/ }).click();
  return settingsOf(page).getByLabel('Site id');
}

/** Waits until the autosaved design satisfies `check` and returns it. */
async function savedDesign(page, check) {
  await page.waitForFunction(
    ([key, source]) => {
      const text = localStorage.getItem(key);
      return text !== null && new Function('d', `return ${source}`)(JSON.parse(text));
    },
    [SAVED, check],
  );
  return JSON.parse(await page.evaluate((key) => localStorage.getItem(key), SAVED));
}


/**
 * The imported exercise has its own users and passwords (nobody, secret); the rest is the
 * chain of the new design the page started with, which has users of its own.
 */
function assertTheExercise(imported, defaults) {
  assert.ok(imported.components.filter((c) => !['database', 'supervisor'].includes(c.kind)).every((c) => c.user === 'nobody'));
  assert.equal(imported.settings.zope_admin_password, 'secret');
  const chain = (d) => {
    const copy = structuredClone(d);
    for (const c of copy.components) {
      delete c.user;
      delete c.settings.password;
    }
    delete copy.settings.zope_admin_password;
    return copy;
  };
  assert.deepEqual(chain(imported), chain(defaults));
  assert.ok(defaults.components.every((c) => c.user !== 'nobody'), 'a new design has its own users');
}

describeApp('share links and buildout import', { timeout: 300_000 }, (app) => {
  let scratch;

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'stackwright-e2e-'));
  });

  after(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  test('a link of another design asks which to keep, and neither is lost', async () => {
    // Someone else's design: nginx on 8088.
    const theirs = await openRecordedPage(app.browser);
    let link;
    try {
      await openAt(theirs.page, `${app.origin}/`);
      await retype(await httpPort(theirs.page), '8088');
      link = await addressWith(theirs.page, /"http_port":8088/);
    } finally {
      await theirs.context.close();
    }

    await withApp(app.browser, app.origin, async ({ page }) => {
      await retype(await siteId(page), 'Mine');
      const mine = await savedDesign(page, "d.settings.site_id === 'Mine'");
      const myAddress = await addressWith(page, /"site_id":"Mine"/);

      // Opening the link with my design saved: asked; keeping mine changes nothing.
      await page.goto('about:blank');
      await page.goto(link);
      const dialog = linkDialog(page);
      await dialog.waitFor({ timeout: APP_TIMEOUT });
      await dialog.getByRole('button', { name: 'Keep my design' }).click();
      await dialog.waitFor({ state: 'hidden' });
      assert.equal(await (await siteId(page)).inputValue(), 'Mine');
      assert.equal(await (await httpPort(page)).inputValue(), '8000');
      await page.waitForFunction((address) => location.href === address, myAddress);
      assert.deepEqual(JSON.parse(await page.evaluate((key) => localStorage.getItem(key), SAVED)), mine);

      // A link pasted into the open page asks too.
      await page.evaluate((fragment) => {
        location.hash = fragment;
      }, new URL(link).hash);
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Keep my design' }).click();
      await dialog.waitFor({ state: 'hidden' });
      assert.equal(await (await httpPort(page)).inputValue(), '8000');

      // Again, opening the link's design this time: mine stays in undo and in storage.
      await page.goto('about:blank');
      await page.goto(link);
      await dialog.waitFor({ timeout: APP_TIMEOUT });
      await dialog.getByRole('button', { name: "Open the link's design" }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByRole('status').filter({ hasText: 'Opened the design from the link' }).waitFor();
      assert.equal(await (await httpPort(page)).inputValue(), '8088');
      assert.notEqual(await (await siteId(page)).inputValue(), 'Mine');
      const before = await page.evaluate(() => localStorage.getItem('stackwright.design.before-link'));
      assert.deepEqual(JSON.parse(before), mine);

      await page.getByRole('button', { name: 'Undo' }).click();
      assert.equal(await (await siteId(page)).inputValue(), 'Mine');
      assert.equal(await (await httpPort(page)).inputValue(), '8000');
    });
  });

  test('a link of the saved design opens without asking', async () => {
    await withApp(app.browser, app.origin, async ({ page }) => {
      // The default design's link is an empty patch.
      const address = await addressWith(page, /^\{\}$/);
      await page.goto('about:blank');
      await openAt(page, address);
      // The link is read as the app starts; a question would be open by the next frame.
      await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
      assert.equal(await linkDialog(page).isVisible(), false);
    });
  });

  test('a damaged link says so and leaves the design untouched', async () => {
    await withApp(app.browser, app.origin, async ({ page }) => {
      await retype(await siteId(page), 'Kept');
      const mine = await savedDesign(page, "d.settings.site_id === 'Kept'");
      await page.goto('about:blank');
      await openAt(page, `${app.origin}/#v1.!!!garbage%3Cscript%3E`);
      const alert = page.getByRole('alert');
      await alert.waitFor();
      assert.match(await alert.textContent(), /could not be opened/);
      assert.equal(await linkDialog(page).isVisible(), false);
      assert.equal(await (await siteId(page)).inputValue(), 'Kept');
      assert.deepEqual(JSON.parse(await page.evaluate((key) => localStorage.getItem(key), SAVED)), mine);
    });
  });

  test('a template this version lacks is an error the problem itself removes, and Undo brings back', async () => {
    await withApp(app.browser, app.origin, async ({ page }) => {
      const design = await savedDesign(page, 'true');
      design.version = Math.max(design.version, 2);
      design.templates = { 'apache.conf.j2': 'Listen 80\n' };
      await page.getByLabel('Import topology.json or buildout').setInputFiles({
        name: 'topology.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(design)),
      });
      // A design with templates of its own is asked about first.
      const ask = page.getByRole('dialog', { name: 'Import the design from topology.json?' });
      await ask.getByRole('button', { name: 'Import it' }).click();
      const problem = problemsOf(page).getByRole('button', { name: /apache\.conf\.j2/ });
      await problem.waitFor();
      await problem.click();
      await page.getByRole('status').filter({ hasText: 'Removed the template apache.conf.j2' }).waitFor();
      await problem.waitFor({ state: 'detached' });
      await savedDesign(page, "!d.templates || !d.templates['apache.conf.j2']");
      await page.getByRole('button', { name: 'Undo', exact: true }).click();
      await problem.waitFor();
    });
  });

  test("the exercise's buildout imports to the default design, with its report", async () => {
    await withApp(app.browser, app.origin, async ({ page }) => {
      const defaults = await savedDesign(page, 'true');
      await retype(await httpPort(page), '8123');
      await savedDesign(page, "d.components.find((c) => c.id === 'nginx').settings.http_port === 8123");

      const included = (await readdir(join(EXERCISE, 'buildout.d'))).map((name) => join(EXERCISE, 'buildout.d', name));
      const files = ['deployment.cfg', 'packages.cfg', 'versions.cfg'].map((name) => join(EXERCISE, name));
      const picker = page.getByLabel('Import topology.json or buildout');
      await picker.setInputFiles([...files, ...included]);
      await page.getByRole('status').filter({ hasText: 'Imported the buildout deployment.cfg' }).waitFor();
      const report = page.getByRole('region', { name: /^Import report/ });
      await report.waitFor();
      const notes = await report.getByRole('listitem').allTextContents();
      assert.ok(notes.length > 0, 'notes are listed');
      assert.ok(notes.some((note) => /^deployment\.cfg:\d+: .*no syslog/.test(note)), notes.join('\n'));
      assert.equal(await zopeNodes(page).count(), 4);
      assert.equal(await (await httpPort(page)).inputValue(), '8000');
      const imported = await savedDesign(page, "d.components.find((c) => c.id === 'nginx').settings.http_port === 8000");
      assertTheExercise(imported, defaults);

      await report.getByRole('button', { name: 'Dismiss the import report' }).click();
      await report.waitFor({ state: 'hidden' });

      // A changed port comes through.
      const changed = join(scratch, 'deployment.cfg');
      const text = await readFile(files[0], 'utf8');
      await writeFile(changed, text.replace(/^http( +)= 8000$/m, 'http$1= 8085'));
      await picker.setInputFiles([changed, ...files.slice(1), ...included]);
      await page.getByRole('button', { name: /^nginx, nginx, 0\.0\.0\.0:8085, / }).waitFor();
      assert.equal(await (await httpPort(page)).inputValue(), '8085');

      // Not a deployment: a clear message, the design untouched (autosave waits for a pause).
      await savedDesign(page, "d.components.find((c) => c.id === 'nginx').settings.http_port === 8085");
      const saved = await page.evaluate((key) => localStorage.getItem(key), SAVED);
      await picker.setInputFiles({ name: 'other.cfg', mimeType: 'text/plain', buffer: Buffer.from('[buildout]\nparts =\n') });
      const alert = page.getByRole('alert').filter({ hasText: 'Could not import the buildout' });
      await alert.waitFor();
      assert.match(await alert.textContent(), /not a deployment buildout.*Your design is unchanged/);
      assert.equal(await (await httpPort(page)).inputValue(), '8085');
      assert.equal(await page.evaluate((key) => localStorage.getItem(key), SAVED), saved);
    });
  });

  test("a zip of the exercise's buildout folder imports; a damaged zip changes nothing", async () => {
    // The zip is made by Python's zipfile, not by our own writer.
    const zip = join(scratch, 'acme-buildout.zip');
    execFileSync('python3', ['-c', `
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_DEFLATED) as z:
    for root, _, files in os.walk(sys.argv[1]):
        for name in sorted(files):
            path = os.path.join(root, name)
            z.write(path, os.path.join('acme-buildout', os.path.relpath(path, sys.argv[1])))
    z.writestr('acme-buildout/htdocs/logo.png', bytes([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe]))
`, EXERCISE, zip]);
    await withApp(app.browser, app.origin, async ({ page }) => {
      const defaults = await savedDesign(page, 'true');
      await retype(await httpPort(page), '8123');
      await savedDesign(page, "d.components.find((c) => c.id === 'nginx').settings.http_port === 8123");

      const picker = page.getByLabel('Import topology.json or buildout');
      await picker.setInputFiles(zip);
      await page.getByRole('status').filter({ hasText: 'Imported the buildout deployment.cfg' }).waitFor();
      await page.getByRole('region', { name: /^Import report/ }).waitFor();
      assert.equal(await (await httpPort(page)).inputValue(), '8000');
      const imported = await savedDesign(page, "d.components.find((c) => c.id === 'nginx').settings.http_port === 8000");
      assertTheExercise(imported, defaults);

      // A zip cut in half: a clear message, the design untouched.
      const saved = await page.evaluate((key) => localStorage.getItem(key), SAVED);
      const bytes = await readFile(zip);
      await picker.setInputFiles({ name: 'broken.zip', mimeType: 'application/zip', buffer: bytes.subarray(0, bytes.length >> 1) });
      const alert = page.getByRole('alert').filter({ hasText: 'Could not import broken.zip' });
      await alert.waitFor();
      assert.match(await alert.textContent(), /not a zip.*Your design is unchanged/);
      assert.equal(await page.evaluate((key) => localStorage.getItem(key), SAVED), saved);
    });
  });
});
