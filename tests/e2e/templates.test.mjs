// A template the user changes in the designer: the file re-renders as they type, the
// bundle carries it, a broken template is named with its line while the preview keeps the
// last good files, undo and autosave cover it, and a link that carries it says so first.
//
// Controls are found by role and accessible name. Run after `trunk build --release`:
// node --test tests/e2e/*.test.mjs

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { openRecordedPage } from './browser.mjs';
import { APP_TIMEOUT, addressWith, describeApp, filesOf, node, problemsOf, withApp } from './app.mjs';

const HEADER = '            add_header X-Stackwright-Test yes;';

/** The text of the file shown in the files panel, read in the next animation frame. */
const previewNextFrame = (page) =>
  page.evaluate(
    () =>
      new Promise((done) =>
        requestAnimationFrame(() => done(document.querySelector('#sw-file-view .sw-files__preview').textContent)),
      ),
  );

/** Puts the caret of the template editor after the first occurrence of `text`. */
async function caretAfter(editor, text) {
  await editor.evaluate((area, text) => {
    const at = area.value.indexOf(text) + text.length;
    area.focus();
    area.setSelectionRange(at, at);
  }, text);
}

describeApp('templates', { timeout: 300_000 }, (app) => {
  let work;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'stackwright-templates-'));
  });

  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  test('edit, break, fix, download, reload and share a template', async () => {
    let link;
    await withApp(
      app.browser,
      app.origin,
      async ({ page }) => {
        const files = filesOf(page);
        await files.getByRole('tab', { name: 'etc/nginx.conf' }).click();
        await files.getByRole('button', { name: 'Edit template' }).click();
        const editor = files.getByRole('textbox', { name: /Template nginx\.conf\.j2/ });
        assert.match(await editor.inputValue(), /proxy_pass http:\/\/chain;/);
        await files.getByText('(built-in)').waitFor();

        // Type a header line into the location block, key by key.
        await caretAfter(editor, '        location / {\n');
        await page.keyboard.type(`${HEADER}\n`);
        assert.match(await previewNextFrame(page), /add_header X-Stackwright-Test yes;/);
        await files.getByText('(changed)').waitFor();
        await files.getByRole('tab', { name: 'etc/nginx.conf · your template' }).waitFor();
        await files.getByText(/From your own template/).waitFor();
        // Leaving the editor ends the undo step.
        await page.getByRole('heading', { name: 'Files' }).click();

        // An unclosed block: the error names the template and its line; the preview keeps
        // the last good file, marked out of date.
        await caretAfter(editor, 'daemon off;\n');
        await page.keyboard.type('{% if plan.multi_host %}\n');
        const alert = files.getByRole('alert');
        await alert.waitFor();
        assert.match(await alert.textContent(), /^template nginx\.conf\.j2, line \d+: syntax error/);
        assert.match(await problemsOf(page).textContent(), /template nginx\.conf\.j2, line \d+: syntax error/);
        await files.getByRole('note').filter({ hasText: /out of date until the template is fixed/ }).waitFor();
        assert.match(await previewNextFrame(page), /add_header X-Stackwright-Test yes;/);
        assert.ok(await page.getByRole('button', { name: 'Download bundle' }).isDisabled(), 'no download while a template is broken');

        // Undo takes back the breaking keys only.
        await page.getByRole('button', { name: 'Undo' }).click();
        await alert.waitFor({ state: 'detached' });
        assert.doesNotMatch(await editor.inputValue(), /\{% if plan\.multi_host %\}/);
        assert.match(await editor.inputValue(), /X-Stackwright-Test/);

        // The bundle carries the header and the template.
        const download = page.getByRole('button', { name: 'Download bundle' });
        await page.waitForFunction(() => !document.querySelector('.sw-download button').disabled);
        const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
        const zip = join(work, 'bundle.zip');
        await file.saveAs(zip);
        const conf = execFileSync('unzip', ['-p', zip, 'plone-deployment/etc/nginx.conf'], { encoding: 'utf8' });
        // Typed into the first `location /`, the catch-all server's: written once.
        assert.equal(conf.split('add_header X-Stackwright-Test yes;').length - 1, 1, conf);
        const template = execFileSync('unzip', ['-p', zip, 'plone-deployment/templates/nginx.conf.j2'], { encoding: 'utf8' });
        assert.match(template, /X-Stackwright-Test/);
        const readme = execFileSync('unzip', ['-p', zip, 'plone-deployment/README.md'], { encoding: 'utf8' });
        assert.match(readme, /replace the built-in ones of the same\s+name: nginx\.conf\.j2/);

        // Autosave keeps it across a reload.
        await page.reload();
        await node(page, 'nginx').waitFor({ timeout: APP_TIMEOUT });
        await files.getByRole('tab', { name: 'etc/nginx.conf · your template' }).click();
        assert.match(await previewNextFrame(page), /add_header X-Stackwright-Test yes;/);

        link = await addressWith(page, /X-Stackwright-Test/);
      },
      { context: { acceptDownloads: true } },
    );

    // A fresh browser, with no design of its own, is told which files the link's
    // templates change before it opens it.
    const { context, page, record } = await openRecordedPage(app.browser);
    try {
      await page.goto(link);
      const dialog = page.getByRole('dialog', { name: 'Open the design from this link?' });
      await dialog.waitFor({ timeout: APP_TIMEOUT });
      const text = await dialog.textContent();
      assert.match(
        text,
        /This design changes the templates of etc\/nginx\.conf; review them: a template decides what runs on your servers\./,
      );
      assert.doesNotMatch(text, /holds a different design/);
      await dialog.getByRole('button', { name: "Open the link's design" }).click();
      await dialog.waitFor({ state: 'hidden' });
      // The link carries no passwords, so the files wait for them; the template is there.
      const files = filesOf(page);
      await files.getByRole('tab', { name: 'etc/nginx.conf · your template' }).click();
      await files.getByRole('button', { name: 'Edit template' }).click();
      const editor = files.getByRole('textbox', { name: /Template nginx\.conf\.j2 \(changed\)/ });
      assert.match(await editor.inputValue(), /add_header X-Stackwright-Test yes;/);
      assert.deepEqual(record.pageErrors, [], 'page errors');
      assert.deepEqual(record.consoleErrors, [], 'console errors');
    } finally {
      await context.close();
    }
  });
});
