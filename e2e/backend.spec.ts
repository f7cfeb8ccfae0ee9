import { expect, test } from '@playwright/test';
import { isTfjsModule, type ChunkModules } from '../buildChecks/chunkModules';
import { Playground, TINY_RUN } from './playground';

test('WebGPU is active with a real adapter (fails loudly on a silent fallback)', async ({ page }) => {
  const app = new Playground(page);
  await app.open({ backend: 'webgpu' }); // WebGPU exists only in a secure context such as the served page, not about:blank
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
  // The page never loads tfjs, only the worker does. The bundler's own record of which modules went into
  // which chunk (dist/chunk-modules.json) says what each script the page loaded holds.
  const { chunks } = (await (await page.request.get(new URL('chunk-modules.json', page.url()).href)).json()) as ChunkModules;
  const scripts = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname).filter((path) => path.endsWith('.js')));
  const loaded = scripts.map((path) => ({ path, chunk: chunks.find((c) => path.endsWith(`/${c.fileName}`)) }));
  for (const { path, chunk } of loaded) expect(chunk, `${path} is a chunk of this build`).toBeDefined();
  const pageChunks = loaded.filter(({ chunk }) => chunk?.build === 'page').map(({ chunk }) => chunk!);
  expect(pageChunks.some((c) => c.modules.includes('src/main.ts')), 'the page loaded its entry chunk').toBe(true);
  expect(pageChunks.flatMap((c) => c.modules).filter(isTfjsModule)).toEqual([]);
  const trainingWorker = chunks.find((c) => c.build === 'worker' && c.modules.includes('src/workers/training.worker.ts'));
  expect(trainingWorker?.modules.some(isTfjsModule), 'the training worker chunk holds tfjs').toBe(true);
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

test('auto: WebGPU is emulated here, so the worker times both and trains on WebAssembly, saying why; a reload remembers it', async ({ page }) => {
  test.setTimeout(12 * 60_000); // two races of emulated WebGPU (the first load and "Measure again") and a run
  const app = new Playground(page);
  const openedAt = Date.now();
  await app.open({ ...TINY_RUN, subset: '64', testSubset: '64', batch: '32', method: 'scratch', backend: 'auto', autostart: '1' });
  // Timing emulated WebGPU includes compiling its shaders: a minute or two on two shared cores.
  await expect(app.backend).toHaveText('wasm', { timeout: 300_000 });
  console.log(`the first load raced the backends and chose wasm in ${((Date.now() - openedAt) / 1000).toFixed(1)} s`);
  await expect(page.getByTestId('backend-choice')).toContainText(/WebGPU is emulated on this CPU: training on WebAssembly, [\d.]+x faster here than WebGPU/);
  // vite preview sends COOP/COEP, so the page is cross-origin isolated and WebAssembly runs on threads.
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('backend-choice')).toContainText(/\(\d+ threads\)\.\s*$/);
  await app.waitForStatus('done', 4 * 60_000);
  await expect(app.resultRows).toHaveCount(1);
  await expect(page.getByTestId('backend-remeasure')).toHaveCount(0); // measured just now: nothing to re-measure

  // A second load in the same browser reuses the choice instead of racing again: it says so, with the day it
  // was measured, and is ready in seconds (the race above took a minute or more).
  const reloadedAt = Date.now();
  await app.open({ ...TINY_RUN, subset: '64', testSubset: '64', batch: '32', method: 'scratch', backend: 'auto' });
  await expect(app.backend).toHaveText('wasm', { timeout: 60_000 });
  const today = new Date().toISOString().slice(0, 10);
  const remembered = new RegExp(`WebGPU is emulated on this CPU: training on WebAssembly, [\\d.]+x faster here than WebGPU, measured on ${today} and remembered`);
  await expect(page.getByTestId('backend-choice')).toContainText(remembered);
  const secondsToReady = (Date.now() - reloadedAt) / 1000;
  console.log(`the second load chose wasm from memory in ${secondsToReady.toFixed(1)} s`);
  expect(secondsToReady).toBeLessThan(30);
  await app.waitForStatus('idle');
  await page.locator('div.status').first().screenshot({ path: 'e2e/screenshots/backend-remembered.png' });

  // "Measure again" races anew and remembers the new outcome.
  await page.getByTestId('backend-remeasure').click();
  await expect(page.getByTestId('backend-choice')).toContainText(/WebGPU is emulated on this CPU: training on WebAssembly, [\d.]+x faster here than WebGPU \(/, { timeout: 300_000 });
  await expect(page.getByTestId('backend-choice')).not.toContainText('remembered');
  await expect(page.getByTestId('backend-remeasure')).toHaveCount(0);
  await app.waitForStatus('idle');
});

// WebAssembly threads, with and without cross-origin isolation: threads.spec.ts.
