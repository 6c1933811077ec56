// Accessibility in a real browser: axe-core's WCAG 2.0 and 2.1 A and AA rules find nothing
// on the release build, in the light and the dark colour scheme, on the default design and
// the 64-instance preset, with a component selected, with the share dialog open and with
// the problems panel full.
//
// Run after `trunk build --release`:  node --test tests/e2e/*.test.mjs

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { assertNoViolations, axeViolations, violationCount } from './axe.mjs';
import {
  describeApp, figuresWrittenTo, inspectorOf, node, problemsOf, retype, settingsOf, withApp, zopeNodes,
} from './app.mjs';

/** Ports typed into the Ports panel, each making at least one problem. */
const BAD_PORTS = [
  ['nginx', 'HTTP port', '80'], // privileged: a warning
  ['nginx', 'HTTPS port', 'https'], // not a number
  ['Varnish', 'Port', '8200'], // HAProxy's: a clash on both
  ['Instance 1', 'Port', '8002'], // Instance 2's
  ['memcached', 'Port', '99999'], // out of range
  ['MariaDB', 'Port', '0'],
  ['Instance 3', 'Port', '8004'], // Instance 4's
  ['supervisor', 'Port', '443'], // privileged
  ['HAProxy', 'Stats port', '22'], // privileged
];

/** Each state of the app that is checked, reached from a freshly opened default design. */
const SCENARIOS = {
  'the default design': async () => {},
  'the 64-instance preset': async (page) => {
    await page.getByLabel('Preset').selectOption({ label: '64 instances on 8 hosts' });
    await zopeNodes(page).nth(63).waitFor();
  },
  'a selected component': async (page) => {
    await node(page, 'HAProxy').click();
    await inspectorOf(page).getByRole('heading', { name: /HAProxy$/ }).waitFor();
  },
  'the share dialog': async (page) => {
    await page.getByRole('button', { name: 'Share…' }).click();
    await page.getByRole('dialog', { name: 'Share this design' }).waitFor();
  },
  'a full problems panel': async (page) => {
    await settingsOf(page).getByRole('tab', { name: /^Ports/ }).click();
    for (const [group, label, value] of BAD_PORTS) {
      await retype(settingsOf(page).getByRole('group', { name: group }).getByLabel(label, { exact: true }), value);
    }
    // Three privileged ports; a new design has no password warning.
    await problemsOf(page).getByRole('heading', { name: 'Problems (9 errors, 3 warnings, 1 note)' }).waitFor();
    assert.equal(await problemsOf(page).getByRole('button').count(), 13, 'the panel lists every problem');
  },
};

describeApp('accessibility', { timeout: 600_000 }, (app) => {
  const figures = figuresWrittenTo('a11y.json');

  for (const scheme of ['light', 'dark']) {
    for (const [scenario, reach] of Object.entries(SCENARIOS)) {
      test(`axe finds no WCAG A or AA violation: ${scenario}, ${scheme}`, async () => {
        await withApp(
          app.browser,
          app.origin,
          async ({ page }) => {
            await reach(page);
            const label = `${scenario}, ${scheme}`;
            const violations = await axeViolations(page);
            figures[label] = violationCount(violations);
            assertNoViolations(violations, label);
          },
          { context: { colorScheme: scheme } },
        );
      });
    }
  }
});
