/**
 * The check page on WebGPU (SwiftShader): every reference fixture, one training step of every method and
 * the PyTorch parity assets, computed in the real training worker, must match (fixtures: their tolerances;
 * steps: the CPU backend's numbers within 1e-3; parity: PyTorch's numbers within 1e-3). The parity assets
 * are served from KD_PARITY_DIR (default ../shared/parity) at `parity/`, never from the build. Prints every
 * comparison, so a failure says what differed.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { METHOD_IDS } from '../src/contract/methodCatalog';

const PARITY_DIR = resolve(process.env.KD_PARITY_DIR ?? '../shared/parity');

test('the maths on WebGPU matches the reference fixtures, the CPU backend and PyTorch', async ({ page }) => {
  // About 5 minutes (without parity) on a machine whose two cores are shared by many jobs; far less idle.
  test.setTimeout(12 * 60_000);
  await page.route('**/parity/*', async (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop() ?? '';
    // A missing file is a 404, so the page reports parity as not checked and this test fails below.
    const body = /^[\w-][\w.-]*$/.test(name) ? await readFile(resolve(PARITY_DIR, name)).catch(() => null) : null;
    await route.fulfill(body ? { status: 200, body, contentType: 'application/octet-stream' } : { status: 404, body: 'not found' });
  });
  const started = Date.now();
  await page.goto('./check.html?backend=webgpu&parity=1');
  await expect(page.getByTestId('check-backend')).toHaveAttribute('data-backend', 'webgpu', { timeout: 60_000 });
  const summary = page.getByTestId('check-summary');
  // Parity runs last: the time to its first row is what the check took before parity was added.
  await page.locator('tr[data-section=parity]').first().waitFor({ state: 'attached', timeout: 11 * 60_000 }).catch(() => undefined);
  const parityStarted = Date.now();
  await expect(summary).not.toHaveAttribute('data-state', 'running', { timeout: 11 * 60_000 });
  console.log(`fixtures and steps: ${((parityStarted - started) / 1000).toFixed(0)} s; parity: ${((Date.now() - parityStarted) / 1000).toFixed(0)} s`);

  const rows = await page.getByTestId('check-table').locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({ pass: tr.getAttribute('data-pass') === 'true', section: tr.getAttribute('data-section'), cells: [...tr.children].map((td) => td.textContent ?? '') })),
  );
  console.log(rows.map((r) => r.cells.join(' | ')).join('\n'));
  console.log(await summary.textContent());
  const failed = rows.filter((r) => !r.pass).map((r) => r.cells.join(' | '));
  expect(failed, 'comparisons that failed').toEqual([]);
  await expect(summary).toHaveAttribute('data-state', 'passed');
  await expect(summary).not.toContainText('Not checked');
  // Not vacuous: the fixtures ran (24 cases in ../shared/reference today), and every method was stepped.
  expect(rows.filter((r) => r.section === 'reference').length).toBeGreaterThan(0);
  const stepped = new Set(rows.filter((r) => r.section === 'step').map((r) => r.cells[1]!.split(':')[0]!.split(' ')[0]));
  expect([...stepped].sort()).toEqual([...METHOD_IDS].sort());
  // Parity ran: every checkpoint's logits, the KD and the oracle step each have rows.
  const parity = rows.filter((r) => r.section === 'parity');
  const worst = Math.max(...parity.map((r) => Number(/worst rel\. error (\S+)/.exec(r.cells[3]!)?.[1] ?? 0)));
  console.log(`parity: ${parity.filter((r) => r.pass).length}/${parity.length} comparisons passed on WebGPU, worst relative error ${worst.toExponential(2)}`);
  expect(parity.length).toBeGreaterThan(0);
  const parityJson = JSON.parse(await readFile(resolve(PARITY_DIR, 'parity.json'), 'utf8')) as { models: { file: string }[] };
  const entries = new Set(parity.map((r) => r.cells[1]!.split(':')[0]));
  expect([...entries].sort()).toEqual([...parityJson.models.map((m) => m.file), 'kdStep', 'oracleStep'].sort());
  for (const file of parityJson.models.map((m) => m.file)) expect(parity.some((r) => r.cells[1] === `${file}: logits`), `${file}: logits`).toBe(true);
});
