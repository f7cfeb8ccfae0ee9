import { expect, test } from '@playwright/test';
import { Playground, TINY_RUN } from './playground';
import { startPlainStaticServer } from './plainStaticServer';

/** The smallest wasm run that reaches done: one scratch model, two batches. */
const WASM_RUN = { ...TINY_RUN, subset: '64', testSubset: '64', batch: '32', method: 'scratch', backend: 'wasm', autostart: '1' } as const;

test('backend=wasm on the cross-origin isolated preview trains on threads and says how many', async ({ page }) => {
  // Emscripten starts tfjs's thread workers from blob: URLs; the training worker itself is a file.
  const threadWorkers: string[] = [];
  page.on('worker', (worker) => {
    if (worker.url().startsWith('blob:')) threadWorkers.push(worker.url());
  });
  const app = new Playground(page);
  await app.open(WASM_RUN);
  await expect(app.backend).toHaveText('wasm', { timeout: 60_000 });
  expect(await page.evaluate(() => crossOriginIsolated), 'vite preview sends COOP and COEP').toBe(true);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  expect(cores, 'threads need a machine with more than one core').toBeGreaterThan(1);
  // Half the logical cores as tfjs picks (one per physical core), at least two, at most tfjs's pool of 8.
  const threads = Math.min(Math.max(2, Math.floor(cores / 2)), 8);
  // Exactly this: had the training kernels' own helper threads not started, the line would say so.
  await expect(page.getByTestId('backend-threads')).toHaveText(`WebAssembly: ${threads} threads.`);
  expect(threadWorkers.length, 'the threaded build started its thread workers').toBeGreaterThan(0);
  await app.waitForStatus('done', 4 * 60_000);
  await app.expectResultsMatchLogits();
});

test('backend=wasm on a static host without COOP/COEP runs single-threaded and says why', async ({ page }) => {
  const server = await startPlainStaticServer('dist');
  try {
    const response = await page.goto(`${server.url}?${new URLSearchParams(WASM_RUN).toString()}`);
    expect(response?.headers()['cross-origin-embedder-policy']).toBeUndefined();
    const app = new Playground(page);
    await expect(app.backend).toHaveText('wasm', { timeout: 60_000 });
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    await expect(page.getByTestId('backend-threads')).toHaveText('WebAssembly: single-threaded: this page is not cross-origin isolated, so WebAssembly threads are off.');
    await app.waitForStatus('done', 4 * 60_000);
    await expect(app.resultRows).toHaveCount(1);
  } finally {
    await server.close();
  }
});
