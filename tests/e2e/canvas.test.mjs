// The chain canvas in a real browser: add from the palette, connect by dragging, refused
// connections, move to a new host, delete and undo from the keyboard, zoom, pan, fit,
// auto-layout, and the frame times of dragging a box in a 64-instance design.
//
// Controls are found by role and accessible name. Run after `trunk build --release`:
// node --test tests/e2e/*.test.mjs

import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';

import { RESULTS, canvasMeasured, describeApp, filesOf, node, withApp } from './app.mjs';

const canvasOf = (page) => page.getByRole('group', { name: 'Serving chain' });
const handle = (page, name) => page.getByRole('button', { name: `Connect ${name} to another component` });

/** The centre of a locator on the screen. */
async function centre(locator) {
  const box = await locator.boundingBox();
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drags with the mouse from one locator's centre to another's, in small steps. */
async function drag(page, from, to) {
  await canvasOf(page).scrollIntoViewIfNeeded();
  const a = await centre(from);
  const b = await centre(to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps: 8 });
  await page.mouse.up();
}

/**
 * Where the canvas and every box of the chain are on the screen, once the app has seen the
 * canvas's size: the canvas's drawing area clipped to the window, each box's rectangle and
 * each port label's.
 */
async function layout(page) {
  await page.waitForFunction(canvasMeasured);
  return page.evaluate(() => {
    const svg = document.querySelector('svg.sw-chain');
    const area = svg.getBoundingClientRect();
    const visible = {
      left: Math.max(area.left + svg.clientLeft, 0),
      top: Math.max(area.top + svg.clientTop, 0),
      right: Math.min(area.left + svg.clientLeft + svg.clientWidth, window.innerWidth),
      bottom: Math.min(area.top + svg.clientTop + svg.clientHeight, window.innerHeight),
    };
    const rect = (el) => {
      const r = el.getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width };
    };
    const nodes = [...document.querySelectorAll('[data-component-id]')].map((g) => ({
      id: g.getAttribute('data-component-id'),
      ...rect(g.querySelector('.sw-chain__box')),
    }));
    const ports = [...document.querySelectorAll('.sw-chain__port')].map((t) => ({ text: t.textContent, ...rect(t) }));
    return { visible, nodes, ports };
  });
}

/** Whether rectangle `inner` lies within `outer`, to half a pixel. */
const within = (inner, outer) =>
  inner.left >= outer.left - 0.5 && inner.right <= outer.right + 0.5 && inner.top >= outer.top - 0.5 && inner.bottom <= outer.bottom + 0.5;
const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
const round = (n) => Math.round(n * 10) / 10;

const viewBox = async (page) => (await canvasOf(page).getAttribute('viewBox')).split(' ').map(Number);
const transform = (locator) => locator.getAttribute('transform');

describeApp('canvas', { timeout: 300_000 }, (app) => {
  test('palette, connect, refused connection, new host, delete and undo', async () => {
    await withApp(app.browser, app.origin, async ({ page }) => {
      // A Zope instance dragged from the palette onto the canvas lands unconnected.
      await page.getByRole('button', { name: 'New Zope instance' }).dragTo(canvasOf(page));
      const added = node(page, 'Instance 5');
      await added.waitFor();
      await filesOf(page).getByRole('tab', { name: 'etc/haproxy.cfg' }).click();
      const preview = () => filesOf(page).getByRole('tabpanel').textContent();
      assert.doesNotMatch(await preview(), /server instance5 /);

      // Connecting HAProxy to it, and it to the database, gives HAProxy a server line
      // (until it reaches a database the design has an error, and the files wait).
      await drag(page, handle(page, 'HAProxy'), added);
      await page.waitForFunction(() => document.querySelector('[data-from="haproxy"][data-to="instance5"]'));
      await drag(page, handle(page, 'Instance 5'), node(page, 'MariaDB'));
      await page.waitForFunction(() => document.querySelector('[data-from="instance5"][data-to="database"]'));
      await filesOf(page).getByRole('tabpanel').getByText(/server instance5 /).waitFor();

      // nginx cannot send requests to the database: refused, with the reason where dropped.
      const wires = await page.locator('.sw-chain__edge').count();
      await drag(page, handle(page, 'nginx'), node(page, 'MariaDB'));
      const refusal = canvasOf(page).getByRole('alert');
      await refusal.waitFor();
      assert.match(await refusal.textContent(), /nginx cannot connect to database; it can connect to Varnish/);
      assert.equal(await page.locator('.sw-chain__edge').count(), wires, 'no connection made');

      // Moving it to a new host puts a per-host folder in the bundle. It moves off loopback
      // by itself; the database must listen beyond loopback for it to be reachable.
      await node(page, 'MariaDB').click();
      await page.getByRole('region', { name: 'Inspector' }).getByLabel('Address').fill('0.0.0.0');
      await added.click();
      await page.getByRole('button', { name: 'Move to a new host' }).click();
      await filesOf(page).getByRole('tab', { name: /^hosts\/host2\// }).first().waitFor();

      // Delete from the keyboard, then undo.
      await added.focus();
      await page.keyboard.press('Delete');
      await added.waitFor({ state: 'detached' });
      await page.keyboard.press('ControlOrMeta+z');
      await node(page, 'Instance 5').waitFor();
    });
  });

  test('drag to move snaps to the grid and is one undo step; arrows keys move too', async () => {
    await withApp(app.browser, app.origin, async ({ page }) => {
      const nginx = page.locator('[data-component-id="nginx"]');
      const before = await transform(nginx);
      const a = await centre(nginx);
      await page.mouse.move(a.x, a.y);
      await page.mouse.down();
      await page.mouse.move(a.x + 37, a.y + 91, { steps: 10 });
      await page.mouse.up();
      await page.waitForFunction((b) => document.querySelector('[data-component-id="nginx"]').getAttribute('transform') !== b, before);
      const [x, y] = (await transform(nginx)).match(/-?\d+/g).map(Number);
      assert.equal(x % 20, 0, 'x on the grid');
      assert.equal(y % 20, 0, 'y on the grid');
      await page.getByRole('button', { name: 'Undo' }).click();
      await page.waitForFunction((b) => document.querySelector('[data-component-id="nginx"]').getAttribute('transform') === b, before);

      await nginx.focus();
      await page.keyboard.press('ArrowDown');
      await page.waitForFunction((b) => document.querySelector('[data-component-id="nginx"]').getAttribute('transform') !== b, before);
      const [, down] = (await transform(nginx)).match(/-?\d+/g).map(Number);
      assert.equal(down, Number(before.match(/-?\d+/g)[1]) + 20);
      assert.ok(await nginx.evaluate((el) => el === document.activeElement), 'focus stays on the box');

      // Tab reaches the next box; Enter opens it in the inspector.
      await page.keyboard.press('Tab');
      const next = await page.evaluate(() => document.activeElement.getAttribute('data-component-id'));
      assert.ok(next && next !== 'nginx', `Tab moved to ${next}`);
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.activeElement?.id === 'sw-inspector-heading');
      assert.ok(await page.getByRole('region', { name: 'Inspector' }).getByRole('heading').first().isVisible());
    });
  });

  test('zoom, pan, fit to view and auto-layout', async () => {
    await withApp(app.browser, app.origin, async ({ page }) => {
      const fitted = await viewBox(page);
      await page.getByRole('button', { name: 'Zoom in' }).click();
      const zoomed = await viewBox(page);
      assert.ok(zoomed[2] < fitted[2], `zoomed in: ${zoomed} from ${fitted}`);
      await page.getByRole('button', { name: 'Zoom out' }).click();
      await page.getByRole('button', { name: 'Zoom out' }).click();
      assert.ok((await viewBox(page))[2] > fitted[2], 'zoomed out');

      // The wheel zooms too.
      const box = await canvasOf(page).boundingBox();
      await page.mouse.move(box.x + 10, box.y + 10);
      const beforeWheel = await viewBox(page);
      await page.mouse.wheel(0, -200);
      await page.waitForFunction((w) => Number(document.querySelector('svg.sw-chain').getAttribute('viewBox').split(' ')[2]) < w, beforeWheel[2]);

      // Dragging the background pans.
      const beforePan = await viewBox(page);
      await page.mouse.move(box.x + 10, box.y + 10);
      await page.mouse.down();
      await page.mouse.move(box.x + 110, box.y + 60, { steps: 5 });
      await page.mouse.up();
      const panned = await viewBox(page);
      assert.ok(panned[0] < beforePan[0] && panned[1] < beforePan[1], `panned: ${panned} from ${beforePan}`);

      await page.getByRole('button', { name: 'Fit to view' }).click();
      assert.deepEqual(await viewBox(page), fitted);

      // The drawing exports as an SVG file.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export SVG' }).click(),
      ]);
      assert.equal(download.suggestedFilename(), 'topology.svg');
      const svg = await readFile(await download.path(), 'utf8');
      assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.match(svg, />MariaDB</);

      // Auto-layout puts a moved box back in its tier.
      const memcached = page.locator('[data-component-id="memcached"]');
      await memcached.focus();
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await page.getByRole('button', { name: 'Auto-layout' }).click();
      assert.match(await transform(memcached), /^translate\(960 /);
    });
  });

  for (const [width, height, whole] of [[390, 844, false], [1024, 768, true], [1440, 900, true]]) {
    test(`at ${width} px wide the design is fitted legibly, ${whole ? 'whole' : 'from its start'}`, async () => {
      await withApp(app.browser, app.origin, async ({ page }) => {
        const { visible, nodes, ports } = await layout(page);
        const widths = Object.fromEntries(nodes.map((n) => [n.id, round(n.width)]));
        console.log(`box widths at ${width} px: ${JSON.stringify(widths)}`);
        assert.equal(nodes.length, 10, 'the default design');
        for (const n of nodes) {
          assert.ok(n.width >= 100, `${n.id} is drawn ${round(n.width)} px wide`);
        }
        const shown = whole ? nodes : nodes.filter((n) => n.id === 'nginx');
        for (const n of shown) {
          assert.ok(within(n, visible), `${n.id} at ${JSON.stringify(n)} is outside the visible canvas ${JSON.stringify(visible)}`);
        }
        // One port label per box reached, none on another or on a box.
        assert.deepEqual(ports.map((p) => p.text).sort(), [':11211', ':3306', ':8001', ':8002', ':8003', ':8004', ':8100', ':8200']);
        for (const [i, a] of ports.entries()) {
          for (const b of [...ports.slice(i + 1), ...nodes]) {
            assert.ok(!overlaps(a, b), `${a.text} overlaps ${b.text ?? b.id}`);
          }
        }
      }, { context: { viewport: { width, height } } });
    });
  }

  test('the fit follows the canvas when the window is resized, and a preset is fitted anew', async () => {
    await withApp(app.browser, app.origin, async ({ page }) => {
      const nginxOf = (l) => l.nodes.find((n) => n.id === 'nginx');
      /** Resizes the window and waits for the app to have measured the canvas anew. */
      const resize = async (width, height) => {
        const before = await canvasOf(page).getAttribute('data-canvas');
        await page.setViewportSize({ width, height });
        await page.waitForFunction(
          (before) => document.querySelector('svg.sw-chain').getAttribute('data-canvas') !== before,
          before,
        );
        await page.waitForFunction(canvasMeasured);
      };
      const wide = await layout(page);

      // A zoomed view is the user's: it stays when the window narrows...
      await page.getByRole('button', { name: 'Zoom in' }).click();
      const zoomed = await viewBox(page);
      await resize(1024, 768);
      assert.deepEqual(await viewBox(page), zoomed, 'a zoomed view is left alone');
      // ...until Fit to view fits the narrower canvas.
      await page.getByRole('button', { name: 'Fit to view' }).click();
      const narrow = await layout(page);
      for (const n of narrow.nodes) {
        assert.ok(within(n, narrow.visible), `${n.id} is inside after narrowing`);
      }
      assert.notEqual(round(nginxOf(narrow).width), round(nginxOf(wide).width), 'the scale followed the canvas');

      // A fitted view follows the canvas by itself.
      await resize(1440, 900);
      const wider = await layout(page);
      for (const n of wider.nodes) {
        assert.ok(within(n, wider.visible), `${n.id} is inside after widening`);
      }
      assert.equal(round(nginxOf(wider).width), round(nginxOf(wide).width), 'the first fit again');

      // A preset opened while zoomed in is fitted, from the start of its chain.
      await page.getByRole('button', { name: 'Zoom in' }).click();
      await page.getByRole('button', { name: 'Zoom in' }).click();
      await page.getByLabel('Preset').selectOption({ label: '64 instances on 8 hosts' });
      await page.getByRole('button', { name: /, Zope instance, / }).nth(63).waitFor();
      const preset = await layout(page);
      for (const n of preset.nodes) {
        assert.ok(n.width >= 100, `${n.id} is drawn ${round(n.width)} px wide`);
      }
      for (const id of ['nginx', 'varnish', 'haproxy', 'instance1']) {
        assert.ok(within(preset.nodes.find((n) => n.id === id), preset.visible), `${id} is on the canvas`);
      }
    }, { context: { viewport: { width: 1440, height: 900 } } });
  });

  test('dragging a box in a 64-instance design stays smooth', async () => {
    await withApp(app.browser, app.origin, async ({ page }) => {
      await page.getByLabel('Preset').selectOption({ label: '64 instances on 8 hosts' });
      await page.getByRole('button', { name: /, Zope instance, / }).nth(63).waitFor();
      const target = page.locator('[data-component-kind="zope"]').first();
      const a = await centre(target);
      await page.evaluate(() => {
        window.__frames = [];
        let last = performance.now();
        const tick = (now) => {
          window.__frames.push(now - last);
          last = now;
          if (window.__frames.length < 100000) window.__raf = requestAnimationFrame(tick);
        };
        window.__raf = requestAnimationFrame(tick);
      });
      await page.mouse.move(a.x, a.y);
      await page.mouse.down();
      for (let i = 1; i <= 60; i += 1) {
        await page.mouse.move(a.x + i * 4, a.y + i * 2);
      }
      await page.mouse.up();
      const frames = await page.evaluate(() => {
        cancelAnimationFrame(window.__raf);
        return window.__frames.slice(1);
      });
      const sorted = [...frames].sort((x, y) => x - y);
      const pick = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
      const figures = {
        frames: frames.length,
        mean_ms: Number((frames.reduce((s, f) => s + f, 0) / frames.length).toFixed(2)),
        median_ms: Number(pick(0.5).toFixed(2)),
        p95_ms: Number(pick(0.95).toFixed(2)),
        max_ms: Number(sorted[sorted.length - 1].toFixed(2)),
        over_50ms: frames.filter((f) => f > 50).length,
      };
      console.log(`drag frame times, 64 instances: ${JSON.stringify(figures)}`);
      await mkdir(RESULTS, { recursive: true });
      await writeFile(join(RESULTS, 'canvas-frames.json'), `${JSON.stringify(figures, null, 2)}\n`);
      assert.ok(figures.median_ms < 100, `median frame ${figures.median_ms} ms`);
    });
  });
});
