/**
 * Every distillation method runs from a link to `done` in the page on WebGPU, with the tiniest settings
 * (two teachers for the multi-teacher ones), and its student lands in the results table.
 */
import { expect, test } from '@playwright/test';
import { METHOD_CATALOG, METHOD_IDS } from '../src/methods/catalog';
import { Playground, TINY_RUN } from './playground';

// scratch and kd have their own specs (training.spec.ts, backend.spec.ts).
const METHODS = METHOD_IDS.filter((id) => id !== 'scratch' && id !== 'kd');
const REPORTS_WEIGHTS = new Set(['ebkd', 'aekd', 'camkd']);

for (const method of METHODS) {
  test(`${method} runs from a URL to done on WebGPU`, async ({ page }) => {
    const multi = METHOD_CATALOG[method].needs.teachers.max > 1;
    const app = new Playground(page);
    await app.open({ ...TINY_RUN, subset: '32', testSubset: '32', batch: '16', method, ...(multi ? { teachers: '2' } : {}), autostart: '1' });
    await expect(app.backend).toHaveText('webgpu', { timeout: 60_000 });
    await app.waitForStatus(['done', 'error']);
    await expect(page.getByTestId('error')).toHaveCount(0);
    await expect(app.status).toHaveText('done');

    const roles = (await app.resultTable()).map((r) => r.role);
    expect(roles).toEqual([...Array(multi ? 2 : 1).fill('teacher'), 'scratch', 'student']);
    if (REPORTS_WEIGHTS.has(method)) {
      await expect(page.getByTestId('method-panel')).toBeVisible();
      await expect(page.getByTestId('method-table').locator('tbody tr')).toHaveCount(1);
      await app.screenshot(`method-${method}`);
    }
  });
}
