/**
 * axe-core's WCAG 2 A and AA rules on the page after a tiny run, with every panel showing: no violation
 * (during a lesson: e2e/lessons.spec.ts).
 * (Before this test: the Train button's contrast, and Plotly's toolbar buttons inside charts marked as images.)
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { Playground, TINIEST_RUN } from './playground';

test('the page after a run has no WCAG 2 A or AA violation that axe-core finds', async ({ page }) => {
  const app = new Playground(page);
  await app.open({ ...TINIEST_RUN, method: 'kd', autostart: '1' });
  await app.waitForStatus(['done', 'error']);
  await expect(app.status).toHaveText('done');
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  const found = results.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  expect(found, found.join('\n')).toEqual([]);
});

