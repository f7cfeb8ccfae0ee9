/**
 * The default demo on this machine, measured for the README's "On this machine" table: the page's own
 * estimate of the first visit's run (KD from the ready ResNet-20 to a ResNet-8) on each backend, then that run
 * to the end on the backend `auto` picks, with its wall time and results. Not a test (CI skips it):
 * `npm run measure:default-demo` prints what the table quotes.
 */
import { expect, test, type Page } from '@playwright/test';
import { FIRST_VISIT_PRESET } from '../src/config/view';
import { Playground } from './playground';

test.skip(process.env.DEFAULT_DEMO_MEASURE !== '1', 'a measurement: npm run measure:default-demo');

/** The page's measured estimate for what it shows now ("Estimated duration: about …"), once it is there. */
async function estimate(page: Page): Promise<string> {
  const line = page.getByTestId('estimate');
  await expect(line).toContainText('Estimated duration', { timeout: 10 * 60_000 });
  return (await line.textContent())!.replace(/\s+/g, ' ').trim();
}

test('the default demo: the page\'s estimate on WebGPU and on the CPU backend', async ({ page }) => {
  test.setTimeout(30 * 60_000);
  const app = new Playground(page);
  for (const backend of ['webgpu', 'cpu']) {
    await page.goto(`./?${FIRST_VISIT_PRESET.query}&backend=${backend}`);
    await expect(app.backend).toHaveText(backend, { timeout: 5 * 60_000 });
    console.log(`${backend}: ${await estimate(page)}`);
  }
});

test('the default demo: a bare address, on the backend auto picks, run to the end', async ({ page }) => {
  test.setTimeout(90 * 60_000);
  const app = new Playground(page);
  await page.goto('./');
  const dismiss = page.getByTestId('welcome-dismiss');
  if (await dismiss.isVisible()) await dismiss.click();
  const planned = await estimate(page);
  console.log(`default (${(await app.backend.textContent())?.trim()}): ${planned}`);
  const started = Date.now();
  await app.button('train').click();
  await app.waitForStatus(['done', 'error'], 80 * 60_000);
  await expect(app.status).toHaveText('done');
  const finished = (await page.getByText(/^Finished in/).textContent())?.trim();
  console.log(`default run: ${finished} (${((Date.now() - started) / 1000).toFixed(0)} s from the click); results ${JSON.stringify(await app.resultTable())}`);
  console.log(`vs scratch: ${(await page.getByTestId('vs-scratch-summary').textContent())?.trim()}`);
  // Why auto picked its backend, with the thread count on wasm.
  const choice = await page.getByTestId('backend-choice').textContent({ timeout: 5_000 }).catch(() => 'not shown (the backend was named, not picked)');
  console.log(`backend: ${choice?.replace(/\s+/g, ' ').trim()}`);
  console.log(`settings: ${new URL(page.url()).search}`);
});
