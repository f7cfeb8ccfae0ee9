import { expect, test } from '@playwright/test';
import { Playground, TINY_RUN } from './playground';

test('WebGPU is active with a real adapter (fails loudly on a silent fallback)', async ({ page }) => {
  const app = new Playground(page);
  await app.open(); // WebGPU exists only in a secure context such as the served page, not about:blank
  const adapter = await page.evaluate(async () => {
    const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
    if (!gpu) return null;
    const a = await gpu.requestAdapter();
    return a ? { vendor: a.info.vendor, architecture: a.info.architecture } : null;
  });
  expect(adapter, 'navigator.gpu.requestAdapter() must give an adapter: check the SwiftShader flags').not.toBeNull();

  await expect(app.backend).toHaveText('webgpu', { timeout: 60_000 });
  await expect(page.getByTestId('backend-note')).toHaveCount(0);
  // SwiftShader (what the test flags select here) is a GPU emulated on the CPU: the page says so, and says
  // nothing of the kind on a real GPU.
  const emulated = /swiftshader/i.test(`${adapter!.vendor} ${adapter!.architecture}`);
  await expect(page.getByTestId('backend-emulated')).toHaveCount(emulated ? 1 : 0);
  if (emulated) await expect(page.getByTestId('backend-emulated')).toHaveText('GPU emulated on the CPU');
  // The main page never loads tfjs: only the worker does.
  const tfOnPage = await page.evaluate(() => 'tf' in window || performance.getEntriesByType('resource').some((r) => /tfjs/.test(r.name)));
  expect(tfOnPage).toBe(false);
});

test('a run with backend=cpu trains on the CPU backend and reports it', async ({ page }) => {
  const app = new Playground(page);
  await app.open({ ...TINY_RUN, subset: '64', testSubset: '64', batch: '32', method: 'scratch', backend: 'cpu', autostart: '1' });
  await expect(app.backend).toHaveText('cpu', { timeout: 60_000 });
  await app.waitForStatus('done');
  const rows = await app.resultTable();
  expect(rows.map((r) => r.role)).toEqual(['scratch']);
  await app.expectResultsMatchLogits();
  await expect(app.backend).toHaveText('cpu');
});
