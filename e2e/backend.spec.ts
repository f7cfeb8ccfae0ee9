import { expect, test } from '@playwright/test';
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
  expect(rows[0]!.accuracy).toBeGreaterThanOrEqual(0);
  await expect(app.backend).toHaveText('cpu');
});

test('auto: WebGPU is emulated here, so the worker times both and trains on WebAssembly, saying why', async ({ page }) => {
  const app = new Playground(page);
  await app.open({ ...TINY_RUN, subset: '64', testSubset: '64', batch: '32', method: 'scratch', autostart: '1' });
  // Timing emulated WebGPU includes compiling its shaders: a minute or two on two shared cores.
  await expect(app.backend).toHaveText('wasm', { timeout: 300_000 });
  await expect(page.getByTestId('backend-choice')).toContainText(/WebGPU is emulated on this CPU: training on WebAssembly, [\d.]+x faster here than WebGPU/);
  // vite preview sends COOP/COEP, so the page is cross-origin isolated; tfjs's threads still do not start
  // from the bundle, and the status line says so rather than claim them.
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('backend-choice')).toContainText('single-threaded: WebAssembly threads do not start from the bundled tfjs-backend-wasm yet');
  await app.waitForStatus('done', 4 * 60_000);
  await expect(app.resultRows).toHaveCount(1);
});

test('backend=wasm without cross-origin isolation runs single-threaded and says so', async ({ page }) => {
  // A static host without the COOP/COEP headers: strip them from every response.
  await page.route('**/*', async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    delete headers['cross-origin-opener-policy'];
    delete headers['cross-origin-embedder-policy'];
    await route.fulfill({ response, headers });
  });
  const app = new Playground(page);
  await app.open({ ...TINY_RUN, subset: '64', testSubset: '64', batch: '32', method: 'scratch', backend: 'wasm', autostart: '1' });
  await expect(app.backend).toHaveText('wasm', { timeout: 60_000 });
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  await expect(page.getByTestId('backend-threads')).toHaveText('WebAssembly: single-threaded: this page is not cross-origin isolated, so WebAssembly threads are off.');
  await app.waitForStatus('done', 4 * 60_000);
  await expect(app.resultRows).toHaveCount(1);
});
