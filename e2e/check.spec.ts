/**
 * The check page on WebGPU (SwiftShader): every reference fixture and one training step of every method,
 * computed in the real training worker, must match (fixtures: their tolerances; steps: the CPU backend's
 * numbers within 1e-3). Prints every comparison, so a failure says what differed.
 */
import { expect, test } from '@playwright/test';
import { METHOD_IDS } from '../src/contract/methodCatalog';

test('the maths on WebGPU matches the reference fixtures and the CPU backend, step by step', async ({ page }) => {
  // About 5 minutes on a machine whose two cores are shared by many jobs (load ~15); far less on an idle one.
  test.setTimeout(10 * 60_000);
  await page.goto('./check.html?backend=webgpu');
  await expect(page.getByTestId('check-backend')).toHaveAttribute('data-backend', 'webgpu', { timeout: 60_000 });
  const summary = page.getByTestId('check-summary');
  await expect(summary).not.toHaveAttribute('data-state', 'running', { timeout: 9 * 60_000 });

  const rows = await page.getByTestId('check-table').locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({ pass: tr.getAttribute('data-pass') === 'true', section: tr.getAttribute('data-section'), cells: [...tr.children].map((td) => td.textContent ?? '') })),
  );
  console.log(rows.map((r) => r.cells.join(' | ')).join('\n'));
  console.log(await summary.textContent());
  const failed = rows.filter((r) => !r.pass).map((r) => r.cells.join(' | '));
  expect(failed, 'comparisons that failed').toEqual([]);
  await expect(summary).toHaveAttribute('data-state', 'passed');
  // Not vacuous: the fixtures ran (24 cases in ../shared/reference today), and every method was stepped.
  expect(rows.filter((r) => r.section === 'reference').length).toBeGreaterThan(0);
  const stepped = new Set(rows.filter((r) => r.section === 'step').map((r) => r.cells[1]!.split(':')[0]!.split(' ')[0]));
  expect([...stepped].sort()).toEqual([...METHOD_IDS].sort());
});
