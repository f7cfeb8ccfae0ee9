import { expect, test } from '@playwright/test';
import { Playground, TINIEST_RUN, TINY_RUN } from './playground';

test('a tiny KD run trains teacher, scratch and KD student on WebGPU and fills the results table', async ({ page }) => {
  const app = new Playground(page);
  await app.open({ ...TINIEST_RUN, method: 'kd', autostart: '1' });
  await expect(app.backend).toHaveText('webgpu', { timeout: 60_000 });
  await app.waitForStatus('training', 60_000);
  await expect(page.getByTestId('time-left')).toBeVisible({ timeout: 4 * 60_000 });
  await app.waitForStatus('done');

  const rows = await app.resultTable();
  expect(rows.map((r) => r.role)).toEqual(['teacher', 'scratch', 'student']);
  for (const row of rows) {
    expect(row.accuracy).toBeGreaterThanOrEqual(0);
    expect(row.accuracy).toBeLessThanOrEqual(100);
    expect(row.ece).toBeGreaterThanOrEqual(0);
    expect(row.ece).toBeLessThanOrEqual(1);
  }
  await expect(app.results.locator('thead tr')).toHaveCount(1);
  // The run's config is in the URL, so the link reproduces it.
  expect(new URL(page.url()).searchParams.get('subset')).toBe('16');
  expect(new URL(page.url()).searchParams.get('method')).toBe('kd');
  // Curves were drawn from the run's own numbers, and their table alternative lists every model.
  await page.getByText('Curves as a table').click();
  await expect(page.getByTestId('epoch-table').locator('tbody tr')).toHaveCount(3);
  await app.screenshot('tiny-kd-run-done');

  // The calibration panel plots the run's own test predictions: its ECE for the student (15 bins) is the table's.
  const panel = page.getByTestId('reliability-panel');
  await expect(panel).toBeVisible();
  await expect(page.getByTestId('reliability-model')).toHaveValue('student');
  await expect(page.getByTestId('reliability-ece')).toHaveText(rows[2]!.ece.toFixed(4));
  await expect(page.getByTestId('reliability-table').locator('tbody tr')).toHaveCount(15);
  await page.getByTestId('reliability-scaled').check();
  await expect(page.getByTestId('reliability-stats')).toContainText('Fitted T');
  await panel.screenshot({ path: 'e2e/screenshots/calibration-panel.png' });

  // A second run with another method distils from the same teacher instead of training it again.
  await page.locator('#cfg-method').selectOption('logit-mse');
  await app.button('train').click();
  await app.waitForStatus('done');
  const second = app.resultRows.first();
  await expect(second).toHaveAttribute('data-role', 'teacher');
  await expect(second).toContainText('reused');
  expect((await app.resultTable())[0]!.accuracy).toBe(rows[0]!.accuracy);
});

test('pause, step, resume and stop respond within a batch, and the page stays usable', async ({ page }) => {
  const app = new Playground(page);
  await app.open({ ...TINY_RUN, method: 'scratch', subset: '64', testSubset: '16', batch: '16', epochs: '2', teacherEpochs: '1' });
  await app.waitForStatus('idle', 60_000);
  await app.button('train').click();
  await app.waitForStatus('training');
  await expect(page.getByText(/Training the students/)).toBeVisible({ timeout: 4 * 60_000 });

  await app.button('pause').click();
  await app.waitForStatus('paused', 60_000);
  const stepText = async () => (await page.locator('.status').textContent())?.match(/step (\d+)\/\d+/)?.[1];
  const before = Number(await stepText());
  await page.waitForTimeout(3000);
  expect(Number(await stepText())).toBe(before); // nothing runs while paused

  await app.button('step').click();
  await expect.poll(async () => Number(await stepText()), { timeout: 60_000 }).toBe(before + 1);
  await app.waitForStatus('paused');

  await app.button('resume').click();
  await app.waitForStatus('training');
  await app.button('stop').click();
  await app.waitForStatus('idle', 60_000);
  await expect(app.button('train')).toBeEnabled();
  await app.screenshot('stopped');
});
