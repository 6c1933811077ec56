// axe-core in the page under test: the WCAG 2.0 and 2.1 A and AA rules, run from the copy
// npm installed (nothing is downloaded at test time), with violations reported so that a
// failure says which rule, on which elements, and why.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The rule sets checked: WCAG 2.0 and 2.1, levels A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

let source;

/** The minified axe-core from node_modules, read once per test file. */
async function axeSource() {
  source ??= await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  return source;
}

/**
 * Runs axe on the whole page as it is now and returns its violations, each as
 * `{ id, impact, help, nodes: [{ target, summary }] }`. axe is injected on first use in a
 * page (again after a navigation, which drops it).
 * @param {import('playwright-core').Page} page
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.addScriptTag({ content: await axeSource() });
  }
  return page.evaluate(async (tags) => {
    const results = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
  }, WCAG_TAGS);
}

/** One block per violated rule: its id and help, then each element with axe's summary. */
export function describeViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes.map((n) => `  - ${n.target}\n    ${n.summary.replaceAll('\n', '\n    ')}`);
      return `${v.id} (${v.impact}, ${v.nodes.length} elements): ${v.help}\n${nodes.join('\n')}`;
    })
    .join('\n');
}

/** How many elements fail, over all rules. */
export const violationCount = (violations) => violations.reduce((sum, v) => sum + v.nodes.length, 0);

/** Fails, with every violation spelled out, unless `violations` is empty. */
export function assertNoViolations(violations, what) {
  if (violations.length > 0) {
    throw new Error(
      `${what}: ${violationCount(violations)} accessibility violations\n${describeViolations(violations)}`,
    );
  }
}
