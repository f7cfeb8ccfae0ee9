import { expect, test } from '@playwright/test';
import { Playground, TINIEST_RUN, TINY_RUN } from './playground';

/** Teacher epochs of the KD run: on its 14 training images a tiny CNN's loss falls well below chance by then (measured: 2.37 to 1.84 in 10 epochs on the CPU backend). */
const TEACHER_EPOCHS = 10;

test('a tiny KD run trains teacher, scratch and KD student on WebGPU and fills the results table', async ({ page }) => {
  const app = new Playground(page);
  await app.open({ ...TINIEST_RUN, teacherEpochs: String(TEACHER_EPOCHS), method: 'kd', backend: 'webgpu', autostart: '1' });
  await expect(app.backend).toHaveText('webgpu', { timeout: 60_000 });
  await app.waitForStatus('training', 60_000);
  await expect(page.getByTestId('time-left')).toBeVisible({ timeout: 4 * 60_000 });
  await app.waitForStatus('done');

  const rows = await app.resultTable();
  expect(rows.map((r) => r.role)).toEqual(['teacher', 'scratch', 'student']);
  // The worker's accuracy and ECE of each model are those of the test logits it sent (recomputed in the page).
  await app.expectResultsMatchLogits();
  // The teacher learned: after its epochs its training loss is well below chance level (ln 10 for uniform
  // guesses over 10 classes) and it gets more of its training images right than chance would.
  const teacherEpochs = await page.getByTestId('epoch-table').locator('tbody tr[data-learner=teacher0]').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent ?? '')));
  expect(teacherEpochs).toHaveLength(TEACHER_EPOCHS);
  const [, , , lastLoss, , lastTrainAccuracy] = teacherEpochs.at(-1)!;
  console.log(`teacher after ${TEACHER_EPOCHS} epochs: train loss ${lastLoss}, train accuracy ${lastTrainAccuracy} (first epoch: ${teacherEpochs[0]![3]})`);
  expect(Number(lastLoss)).toBeLessThan(Math.log(10) - 0.2);
  expect(Number.parseFloat(lastTrainAccuracy!)).toBeGreaterThan(100 / 10);
  await expect(app.results.locator('thead tr')).toHaveCount(1);
  // "vs scratch" carries its 95% interval, and says in words when it includes 0 (16 test images: it will).
  const vsScratch = app.resultRows.filter({ has: page.locator('[data-testid=vs-scratch-interval]') });
  await expect(vsScratch).toHaveAttribute('data-role', 'student');
  await expect(vsScratch.getByTestId('vs-scratch-interval')).toHaveText(/^\[(0\.0|[+\u2212]\d+\.\d), (0\.0|[+\u2212]\d+\.\d)\]$/);
  const summary = page.getByTestId('vs-scratch-summary');
  await expect(summary).toContainText('paired bootstrap over the 16 test images, 1000 resamples');
  const [lo, hi] = ((await vsScratch.getByTestId('vs-scratch-interval').textContent()) ?? '').replaceAll('\u2212', '-').match(/-?\d+\.\d|0\.0/g)!.map(Number);
  if (lo! <= 0 && hi! >= 0) await expect(summary).toContainText('no clear difference at this size');
  // The hold-out: round(10% of 16) = 2 images never trained on, 14 trained on.
  await expect(page.getByTestId('results-sizes')).toHaveText(/Trained on 14 images; 2 more held out for calibration, never trained on;\s+scored on 16 test images\./);
  await expect(app.results.locator('thead')).toContainText('Best on test');
  // The run's config is in the URL, so the link reproduces it.
  expect(new URL(page.url()).searchParams.get('subset')).toBe('16');
  expect(new URL(page.url()).searchParams.get('method')).toBe('kd');
  expect(new URL(page.url()).searchParams.get('holdout')).toBe('1');
  // Curves were drawn from the run's own numbers, and their table alternative lists every model.
  await page.getByText('Curves as a table').click();
  await expect(page.getByTestId('epoch-table').locator('tbody tr')).toHaveCount(TEACHER_EPOCHS + 2);
  await app.screenshot('tiny-kd-run-done');

  // The calibration panel plots the run's own test predictions: its ECE for the student (15 bins) is the table's.
  const panel = page.getByTestId('reliability-panel');
  await expect(panel).toBeVisible();
  await expect(page.getByTestId('reliability-model')).toHaveValue('student');
  await expect(page.getByTestId('reliability-ece')).toHaveText(rows[2]!.ece.toFixed(4));
  await expect(page.getByTestId('reliability-table').locator('tbody tr')).toHaveCount(15);
  // By default T is fitted on the hold-out and scored on the test images, and the panel says so.
  await expect(page.getByTestId('reliability-protocol')).toHaveValue('held-out');
  await expect(page.getByTestId('reliability-fit-note')).toHaveText(/T fitted on the 2 held-out training images \(no model trained on them\), scored on the 16 test images\./);
  await expect(page.getByTestId('reliability-stats')).toContainText('Fitted T (on hold-out)');
  await page.getByTestId('reliability-scaled').check();
  await panel.screenshot({ path: 'e2e/screenshots/calibration-panel.png' });
  await page.getByTestId('results-panel').screenshot({ path: 'e2e/screenshots/results-table.png' });
  // The seed paper's protocol, labelled: T fitted and scored on the test images, 20 bins.
  await page.getByTestId('reliability-protocol').selectOption('test');
  await expect(page.getByTestId('reliability-fit-note')).toContainText("Seed paper's protocol: T fitted and scored on the same 16 test images");
  await expect(page.getByTestId('reliability-stats')).toContainText('Fitted T (on test)');
  await expect(page.getByTestId('reliability-table').locator('tbody tr')).toHaveCount(20);
  await panel.screenshot({ path: 'e2e/screenshots/calibration-panel-paper.png' });

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
  await app.open({ ...TINY_RUN, method: 'scratch', subset: '64', testSubset: '16', batch: '16', epochs: '2', teacherEpochs: '1', backend: 'webgpu' });
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
