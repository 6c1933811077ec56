// `make bench`: measures the release build's size, its load, edit and export times in
// headless Chromium, the engine's native figures (criterion), the share link's length and
// the render's scaling; prints one table and writes the same figures to target/bench.json.
//
// Run after `trunk build --release` (the Makefile's `bench` target does both):
//   node scripts/bench.mjs
// Environment: BENCH_LOADS (default 10), BENCH_EDITS (default 50), BENCH_EXPORTS
// (default 10), BENCH_SKIP_NATIVE=1 to leave out cargo bench (e.g. while iterating).
//
// Budgets are reported against, never asserted: the exit status is non-zero only when a
// measurement could not be taken.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { launchChromium } from '../tests/e2e/browser.mjs';
import { serveDist } from '../tests/e2e/serve-dist.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const TARGET = join(ROOT, 'target');
const CLI = join(TARGET, 'release', 'stackwright');
const LOADS = Number(process.env.BENCH_LOADS ?? 10);
const EDITS = Number(process.env.BENCH_EDITS ?? 50);
const EXPORTS = Number(process.env.BENCH_EXPORTS ?? 10);
const APP_TIMEOUT = 30_000;

/** The three designs: (key, label, preset option in the app or null for the default). */
const DESIGNS = [
  ['default', 'default (4 instances)', null],
  ['16-instances', '16 instances, 3 hosts', '16 instances on 3 hosts'],
  ['64-instances', '64 instances, 8 hosts', '64 instances on 8 hosts'],
];

// Each budget is a most: the figure passes when it is at or under it. The edit budgets
// are the default design's median and the 64-instance design's p95.
const BUDGETS = {
  gzipTotalKB: 480,
  loadMs: 300,
  editDefaultMs: 8,
  edit64P95Ms: 16,
  exportMs: 50,
  templateEditP95Ms: 16,
  defaultShareChars: 16,
};

const log = (message) => process.stderr.write(`bench: ${message}\n`);
const round = (n, digits = 1) => (n === null || n === undefined ? null : Math.round(n * 10 ** digits) / 10 ** digits);
function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  // Nearest rank: the smallest value with at least q of the values at or below it.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// ---------------------------------------------------------------------------------------
// Size: the same figures as scripts/size.sh (gzip -9, each file on its own).

function sizes() {
  const files = readdirSync(DIST);
  const result = {};
  let gzipTotal = 0;
  for (const kind of ['wasm', 'js', 'css']) {
    const names = files.filter((name) => name.endsWith(`.${kind}`));
    if (names.length === 0) throw new Error(`no .${kind} file in ${DIST}: run \`trunk build --release\``);
    let raw = 0;
    let gzip = 0;
    for (const name of names) {
      const bytes = readFileSync(join(DIST, name));
      raw += bytes.length;
      gzip += gzipSync(bytes, { level: 9 }).length;
    }
    result[kind] = { raw, gzip, files: names.length };
    gzipTotal += gzip;
  }
  result.gzipTotal = gzipTotal;
  return result;
}

// ---------------------------------------------------------------------------------------
// Browser: load, edit latency and export.

/** Records, from the very start of each page, when the chain's nginx node first has a box. */
function chainWatcher() {
  const found = () => {
    for (const el of document.querySelectorAll('[role=button][aria-label^="nginx, "]')) {
      if (el.getBoundingClientRect().width > 0) return true;
    }
    return false;
  };
  window.__benchChainAt = null;
  const observer = new MutationObserver(() => {
    if (window.__benchChainAt === null && found()) {
      window.__benchChainAt = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { subtree: true, childList: true, attributes: true });
}

async function newPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  return { context, page, errors };
}

/** Cold loads: a fresh context (empty cache and storage) for each. */
async function measureLoads(browser, origin) {
  const times = [];
  for (let i = 0; i < LOADS; i++) {
    const { context, page, errors } = await newPage(browser);
    try {
      await page.addInitScript(chainWatcher);
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => window.__benchChainAt !== null, null, { timeout: APP_TIMEOUT });
      // Visible and interactive: the node takes a click and its form opens.
      const visibleAt = await page.evaluate(() => window.__benchChainAt);
      const nginx = page.getByRole('button', { name: /^nginx, nginx, / });
      await nginx.click({ timeout: APP_TIMEOUT });
      await page.getByRole('region', { name: 'Inspector' }).getByLabel('HTTP port').waitFor({ timeout: APP_TIMEOUT });
      const nav = await page.evaluate(() => {
        const [entry] = performance.getEntriesByType('navigation');
        return entry ? { domContentLoaded: entry.domContentLoadedEventEnd, load: entry.loadEventEnd } : null;
      });
      if (errors.length) throw new Error(`page errors: ${errors.join(' | ')}`);
      times.push({ chainVisibleMs: visibleAt, ...nav });
    } finally {
      await context.close();
    }
  }
  return times;
}

/** Opens the app in a fresh context and loads a preset. */
async function openDesign(browser, origin, preset, options) {
  const opened = await newPage(browser, options);
  const { page } = opened;
  await page.goto(`${origin}/`);
  await page.getByRole('button', { name: /^nginx, nginx, / }).waitFor({ timeout: APP_TIMEOUT });
  if (preset) {
    await page.getByLabel('Preset').selectOption({ label: preset });
    const count = Number(preset.match(/^\d+/)[0]);
    await page.getByRole('button', { name: /, Zope instance, / }).nth(count - 1).waitFor({ timeout: APP_TIMEOUT });
  }
  return opened;
}

/**
 * Defines `window.timeEdit(element, value, shown, what, timeout)` in the page: sets the
 * element's value, fires one `input` event and resolves with the milliseconds until
 * `shown()` holds in the DOM (`dom`) and until the next frame after it (`frame`).
 */
async function installEditTimer(page) {
  await page.evaluate(() => {
    window.timeEdit = (element, value, shown, what, timeout) =>
      new Promise((resolve, reject) => {
        let start;
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          observer.disconnect();
          clearTimeout(timer);
          const dom = performance.now() - start;
          requestAnimationFrame(() => resolve({ dom, frame: performance.now() - start }));
        };
        const observer = new MutationObserver(() => {
          if (shown()) finish();
        });
        const timer = setTimeout(() => {
          observer.disconnect();
          reject(new Error(`${what}: the page did not follow within ${timeout} ms`));
        }, timeout);
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
        start = performance.now();
        element.value = value;
        element.dispatchEvent(new Event('input', { bubbles: true }));
        if (shown()) finish();
      });
  });
}

/** Median and p95 of the last EDITS timings (the first ones warm up the code paths). */
function editFigures(results) {
  const kept = results.slice(results.length - EDITS);
  const dom = kept.map((r) => r.dom);
  const frame = kept.map((r) => r.frame);
  return {
    edits: kept.length,
    medianMs: round(median(dom), 2),
    p95Ms: round(quantile(dom, 0.95), 2),
    medianToFrameMs: round(median(frame), 2),
    p95ToFrameMs: round(quantile(frame, 0.95), 2),
  };
}

/**
 * Edit latency: sets nginx's HTTP port and fires one `input` event, then times until the
 * file preview shows `listen PORT;` and the problems panel shows the new state. Edits
 * alternate between a privileged port (a warning appears: "port N is below 1024") and a
 * free high port (it goes), so both panels change on every edit. (An error, such as a
 * port clash, would leave the preview on the last good render.)
 */
async function measureEdits(browser, origin, preset) {
  const { context, page, errors } = await openDesign(browser, origin, preset);
  try {
    await page.getByRole('button', { name: /^nginx, nginx, / }).click();
    const inspector = page.getByRole('region', { name: 'Inspector' });
    await inspector.getByRole('heading', { name: /nginx$/ }).waitFor();
    const field = inspector.getByLabel('HTTP port');
    // The file preview shows etc/nginx.conf.
    const files = page.getByRole('region', { name: 'Files' });
    await files.getByRole('tab', { name: 'etc/nginx.conf' }).click();
    const ports = [];
    for (let i = 0; i < EDITS + 4; i++) ports.push(i % 2 === 0 ? 100 + i : 20000 + i);
    await installEditTimer(page);
    const results = await field.evaluate(async (input, { ports, timeout }) => {
      const view = document.getElementById('sw-file-view');
      const problems = document.getElementById('sw-problems-heading').closest('section');
      const out = [];
      for (const port of ports) {
        const shown = () =>
          view.textContent.includes(`listen ${port};`) &&
          (port < 1024
            ? problems.textContent.includes(`port ${port} is below 1024`)
            : !problems.textContent.includes('is below 1024'));
        out.push(await window.timeEdit(input, String(port), shown, `port ${port}`, timeout));
        // Let the page settle (autosave, address bar) between edits, as between keystrokes.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return out;
    }, { ports, timeout: APP_TIMEOUT });
    if (errors.length) throw new Error(`page errors: ${errors.join(' | ')}`);
    return editFigures(results);
  } finally {
    await context.close();
  }
}

/**
 * Template edit latency: the nginx template open in the template editor, one line changed
 * and one `input` event fired, timed until the preview of etc/nginx.conf shows the line.
 */
async function measureTemplateEdits(browser, origin, preset) {
  const { context, page, errors } = await openDesign(browser, origin, preset);
  try {
    const files = page.getByRole('region', { name: 'Files' });
    await files.getByRole('tab', { name: 'etc/nginx.conf' }).click();
    await files.getByRole('button', { name: 'Edit template' }).click();
    const editor = files.getByRole('textbox', { name: /Template nginx\.conf\.j2/ });
    await installEditTimer(page);
    const results = await editor.evaluate(async (area, { edits, timeout }) => {
      const view = document.querySelector('#sw-file-view .sw-files__preview');
      const base = area.value;
      const out = [];
      for (let i = 0; i < edits; i++) {
        const mark = `# template edit ${i}`;
        const value = base.replace('daemon off;\n', `daemon off;\n${mark}\n`);
        out.push(await window.timeEdit(area, value, () => view.textContent.includes(mark), mark, timeout));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return out;
    }, { edits: EDITS + 4, timeout: APP_TIMEOUT });
    if (errors.length) throw new Error(`page errors: ${errors.join(' | ')}`);
    return editFigures(results);
  } finally {
    await context.close();
  }
}

/** Export: the Download button's click handler zips in the browser and starts the download. */
async function measureExports(browser, origin, preset) {
  const { context, page, errors } = await openDesign(browser, origin, preset, { acceptDownloads: true });
  try {
    const button = page.getByRole('button', { name: 'Download bundle' });
    if (await button.isDisabled()) {
      return { error: `download disabled: ${await page.locator('#sw-download-reason').textContent()}` };
    }
    let downloads = 0;
    page.on('download', (download) => {
      downloads += 1;
      download.delete().catch(() => {});
    });
    // Once with a real click, to the browser's download event.
    const wall = Date.now();
    const [first] = await Promise.all([page.waitForEvent('download', { timeout: APP_TIMEOUT }), button.click()]);
    const toDownloadEvent = Date.now() - wall;
    if (first.suggestedFilename() !== 'plone-deployment.zip') {
      throw new Error(`unexpected download ${first.suggestedFilename()}`);
    }
    // Then timed in the page: the click handler runs synchronously (zip, Blob, object
    // URL, link click). Chromium may hold back repeated downloads; the zip is built anyway.
    const clicks = [];
    for (let i = 0; i < EXPORTS; i++) {
      clicks.push(await button.evaluate((el) => {
        const start = performance.now();
        el.click();
        return performance.now() - start;
      }));
      await page.waitForTimeout(50);
    }
    const notice = await page.getByRole('status').filter({ hasText: 'Downloaded plone-deployment.zip' }).count();
    if (notice === 0) throw new Error('no "Downloaded" notice after the clicks');
    if (errors.length) throw new Error(`page errors: ${errors.join(' | ')}`);
    return {
      exports: clicks.length,
      medianMs: round(median(clicks), 2),
      maxMs: round(Math.max(...clicks), 2),
      firstClickToDownloadEventMs: toDownloadEvent,
      downloadEvents: downloads,
    };
  } finally {
    await context.close();
  }
}

/** The design (topology JSON) a preset loads, as the app saves it. */
async function presetDesign(browser, origin, preset) {
  const { context, page } = await openDesign(browser, origin, preset);
  try {
    await page.waitForFunction(
      (count) => (JSON.parse(localStorage.getItem('stackwright.design') ?? 'null')?.components ?? [])
        .filter((c) => /^instance/.test(c.id)).length === count,
      16,
      { timeout: APP_TIMEOUT },
    );
    return JSON.parse(await page.evaluate(() => localStorage.getItem('stackwright.design')));
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------------------------------
// Native: criterion with short settings, read back from target/criterion.

const NATIVE_GROUPS = ['validate', 'render', 'zip', 'share-encode', 'share-decode'];
const NATIVE_BENCHES = ['default', '16-instances', '64-instances'];

function native() {
  log('cargo bench -p stackwright-core (short settings)');
  execFileSync(
    'cargo',
    ['bench', '-p', 'stackwright-core', '--bench', 'engine', '--',
      '--warm-up-time', '0.3', '--measurement-time', '1', '--sample-size', '10', '--noplot'],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const estimate = (group, bench) => {
    // The benchmark's folder, or the newest one named after it (e.g. `64-instances-8-hosts`).
    const folder = join(TARGET, 'criterion', group);
    let name = bench;
    if (!existsSync(join(folder, name, 'new', 'estimates.json'))) {
      const candidates = readdirSync(folder)
        .filter((entry) => entry.startsWith(`${bench}-`) && existsSync(join(folder, entry, 'new', 'estimates.json')))
        .sort((a, b) => statSync(join(folder, b, 'new', 'estimates.json')).mtimeMs - statSync(join(folder, a, 'new', 'estimates.json')).mtimeMs);
      if (candidates.length === 0) throw new Error(`no criterion estimates for ${group}/${bench}`);
      name = candidates[0];
    }
    const file = join(folder, name, 'new', 'estimates.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    return json.median.point_estimate / 1000; // ns -> µs
  };
  const figures = {};
  for (const group of NATIVE_GROUPS) {
    figures[group] = {};
    for (const bench of NATIVE_BENCHES) {
      figures[group][bench] = round(estimate(group, bench), 2);
    }
  }
  const scaling = {};
  for (const n of [1, 4, 16, 64]) scaling[`${n}-instances`] = round(estimate('render-scaling', String(n)), 2);
  return { figures, scaling };
}

// ---------------------------------------------------------------------------------------
// Share links: ours against plain JSON in base64 and an nginxconfig.io-style query.

function cli(args, input) {
  return execFileSync(CLI, args, { cwd: ROOT, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }).trim();
}

/** Leaves of a JSON value by path; array items are keyed by their `id` when they have one. */
function flatten(value, prefix = '', out = new Map()) {
  if (Array.isArray(value)) {
    const keyed = value.every((item) => item && typeof item === 'object' && typeof item.id === 'string');
    value.forEach((item, i) => flatten(item, `${prefix}[${keyed ? item.id : i}]`, out));
    if (value.length === 0) out.set(prefix, '[]');
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) flatten(item, prefix ? `${prefix}.${key}` : key, out);
    if (Object.keys(value).length === 0) out.set(prefix, '{}');
  } else {
    out.set(prefix, value === null ? '' : String(value));
  }
  return out;
}

/** nginxconfig.io keeps only the values that differ from its defaults, as a query string. */
function queryString(design, defaults) {
  const ours = flatten(design);
  const base = flatten(defaults);
  const pairs = [];
  for (const [key, value] of ours) {
    if (base.get(key) !== value) pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
  }
  for (const key of base.keys()) {
    if (!ours.has(key)) pairs.push(`${encodeURIComponent(key)}=`); // removed
  }
  return pairs.length ? `?${pairs.join('&')}` : '';
}

function shareLinks(customised16) {
  const folder = mkdtempSync(join(tmpdir(), 'stackwright-bench-'));
  try {
    const defaults = JSON.parse(cli(['defaults']));
    const lengths = {};
    for (const [key, design] of [['default', defaults], ['custom16', customised16]]) {
      const file = join(folder, `${key}.json`);
      writeFileSync(file, JSON.stringify(design));
      const fragment = cli(['share', 'encode', file]);
      const base64 = Buffer.from(JSON.stringify(design)).toString('base64url');
      const query = queryString(design, defaults);
      lengths[key] = {
        fragment: fragment.length,
        fragmentText: fragment.length <= 80 ? fragment : `${fragment.slice(0, 77)}...`,
        jsonBase64: base64.length,
        queryString: query.length,
        vsJsonBase64: round(base64.length / fragment.length, 1),
        // The default design has no non-default value: its query string is empty.
        vsQueryString: query.length ? round(query.length / fragment.length, 1) : null,
      };
    }
    return lengths;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The 16-instance preset with a few changes a person would make. */
function customise(design) {
  const d = structuredClone(design);
  d.settings.site_id = 'Intranet';
  const nginx = d.components.find((c) => c.id === 'nginx');
  if (nginx?.settings && 'http_port' in nginx.settings) nginx.settings.http_port = 8080;
  const instance = d.components.find((c) => c.id === 'instance3');
  if (instance?.settings && 'threads' in instance.settings) instance.settings.threads = 4;
  return d;
}

// ---------------------------------------------------------------------------------------
// The table.

function table(r) {
  const rows = [];
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  const ms = (n) => (n === null || n === undefined ? '-' : `${n} ms`);
  const us = (n) => (n === null || n === undefined ? '-' : n >= 1000 ? `${(n / 1000).toFixed(2)} ms` : `${n} µs`);
  const verdict = (value, budget) => (value === null || value === undefined ? '' : value <= budget ? 'ok' : 'OVER');
  const row = (what, value, budget = '', status = '') => rows.push([what, value, budget, status]);
  const section = (title) => rows.push([`-- ${title}`, '', '', '']);

  section('size (gzip -9)');
  for (const kind of ['wasm', 'js', 'css']) {
    const s = r.size[kind];
    row(`${kind}`, `${kb(s.raw)} raw, ${kb(s.gzip)} gzip`);
  }
  row('gzipped total', kb(r.size.gzipTotal), `<= ${BUDGETS.gzipTotalKB} KB`, verdict(r.size.gzipTotal / 1024, BUDGETS.gzipTotalKB));

  section(`load, cold cache, navigation -> chain visible (${r.load.loads} loads)`);
  row('median', ms(r.load.medianMs), `<= ${BUDGETS.loadMs} ms`, verdict(r.load.medianMs, BUDGETS.loadMs));
  row('min / max', `${ms(r.load.minMs)} / ${ms(r.load.maxMs)}`);
  row('interactive (node click opens its form)', 'checked on every load');

  section(`edit latency, input -> preview + problems (median / p95, ${EDITS} edits)`);
  for (const [key, label] of DESIGNS) {
    const e = r.edit[key];
    // The default design is held to its median, the largest to its p95.
    const [budget, measured, which] =
      key === '64-instances' ? [BUDGETS.edit64P95Ms, e.p95Ms, 'p95'] : key === 'default' ? [BUDGETS.editDefaultMs, e.medianMs, 'median'] : [null, null, ''];
    if (e.error) {
      row(label, `failed: ${e.error.split('\n')[0].slice(0, 100)}`);
      continue;
    }
    row(label, `${ms(e.medianMs)} / ${ms(e.p95Ms)}`, budget ? `${which} <= ${budget} ms` : '', budget ? verdict(measured, budget) : '');
    row(`  to next frame`, `${ms(e.medianToFrameMs)} / ${ms(e.p95ToFrameMs)}`);
  }

  section(`edit a template -> preview (median / p95, ${EDITS} edits; aim: p95 <= ${BUDGETS.templateEditP95Ms} ms)`);
  for (const [key, label] of DESIGNS) {
    const e = r.templateEdit?.[key];
    if (!e) continue;
    if (e.error) {
      row(label, `failed: ${e.error.split('\n')[0].slice(0, 100)}`);
      continue;
    }
    row(label, `${ms(e.medianMs)} / ${ms(e.p95Ms)}`, `p95 <= ${BUDGETS.templateEditP95Ms} ms`, verdict(e.p95Ms, BUDGETS.templateEditP95Ms));
    row(`  to next frame`, `${ms(e.medianToFrameMs)} / ${ms(e.p95ToFrameMs)}`);
  }

  section(`export, zip built in the browser (median of ${EXPORTS}; first click -> download event)`);
  for (const [key, label] of DESIGNS) {
    const x = r.export[key];
    if (x.error) {
      row(label, `failed: ${x.error.split('\n')[0].slice(0, 100)}`);
      continue;
    }
    row(label, `${ms(x.medianMs)} (${ms(x.firstClickToDownloadEventMs)})`, `<= ${BUDGETS.exportMs} ms`, verdict(x.medianMs, BUDGETS.exportMs));
  }

  if (r.native) {
    section('native (criterion median): default / 16 / 64 instances');
    for (const group of NATIVE_GROUPS) {
      const f = r.native.figures[group];
      row(group, `${us(f.default)} / ${us(f['16-instances'])} / ${us(f['64-instances'])}`);
    }
    section('scaling: native render at 1 / 4 / 16 / 64 instances');
    const s = r.native.scaling;
    const at = (n) => s[`${n}-instances`];
    row('render', `${us(at(1))} / ${us(at(4))} / ${us(at(16))} / ${us(at(64))}`);
    row('per added instance, 16 -> 64', us(round((at(64) - at(16)) / 48, 2)));
  }

  section('share link length (chars): ours / JSON base64 / query string');
  for (const [key, label] of [['default', 'default design'], ['custom16', 'customised 16 instances']]) {
    const l = r.share[key];
    const budget = key === 'default' ? `< ${BUDGETS.defaultShareChars}` : '';
    row(label, `${l.fragment} / ${l.jsonBase64} / ${l.queryString}  (ours x${l.vsJsonBase64} shorter${l.vsQueryString ? `, x${l.vsQueryString}` : ''})`, budget,
      key === 'default' ? verdict(l.fragment, BUDGETS.defaultShareChars) : '');
  }
  row('default fragment', `#${r.share.default.fragmentText}`);

  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((cells) => (cells[0].startsWith('-- ') && i === 0 ? 0 : cells[i].length))));
  const lines = [];
  const header = ['measure', 'value', 'budget', ''];
  lines.push(`${header[0].padEnd(widths[0])}  ${header[1].padEnd(widths[1])}  ${header[2].padEnd(widths[2])}  `.trimEnd());
  for (const cells of rows) {
    if (cells[0].startsWith('-- ')) {
      lines.push(cells[0]);
      continue;
    }
    lines.push(`${cells[0].padEnd(widths[0])}  ${cells[1].padEnd(widths[1])}  ${cells[2].padEnd(widths[2])}  ${cells[3]}`.trimEnd());
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  if (!existsSync(join(DIST, 'index.html'))) throw new Error(`${DIST}/index.html is missing: run \`trunk build --release\``);
  // The CLI encodes share links with the same core as the app (quick when up to date).
  log('cargo build --release -p stackwright (the CLI, for share links)');
  execFileSync('cargo', ['build', '--release', '--quiet', '-p', 'stackwright'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const result = { date: new Date().toISOString(), budgets: BUDGETS };
  result.size = sizes();

  const server = await serveDist(DIST);
  const browser = await launchChromium();
  try {
    log(`${LOADS} cold loads on ${server.origin}`);
    const loads = await measureLoads(browser, server.origin);
    const chain = loads.map((l) => l.chainVisibleMs);
    result.load = {
      loads: loads.length,
      medianMs: round(median(chain)),
      minMs: round(Math.min(...chain)),
      maxMs: round(Math.max(...chain)),
      chainVisibleMs: chain.map((n) => round(n)),
      domContentLoadedMs: loads.map((l) => round(l.domContentLoaded)),
    };
    result.edit = {};
    result.templateEdit = {};
    result.export = {};
    for (const [key, label, preset] of DESIGNS) {
      log(`edits: ${label}`);
      result.edit[key] = await measureEdits(browser, server.origin, preset).catch((error) => ({ error: String(error.message ?? error) }));
      if (key !== '16-instances') {
        log(`template edits: ${label}`);
        result.templateEdit[key] = await measureTemplateEdits(browser, server.origin, preset).catch((error) => ({ error: String(error.message ?? error) }));
      }
      log(`exports: ${label}`);
      result.export[key] = await measureExports(browser, server.origin, preset).catch((error) => ({ error: String(error.message ?? error) }));
    }
    log('share links');
    result.share = shareLinks(customise(await presetDesign(browser, server.origin, '16 instances on 3 hosts')));
  } finally {
    await browser.close();
    await server.close();
  }
  if (process.env.BENCH_SKIP_NATIVE !== '1') result.native = native();
  result.seconds = Math.round((Date.now() - started) / 1000);

  const text = table(result);
  mkdirSync(TARGET, { recursive: true });
  writeFileSync(join(TARGET, 'bench.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(text);
  console.log(`(figures in target/bench.json; ${result.seconds} s)`);
  const failed = [...Object.values(result.edit), ...Object.values(result.templateEdit), ...Object.values(result.export)].filter((f) => f.error);
  if (failed.length) {
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(`bench: ${error.stack ?? error}`);
  process.exit(2);
});
