/**
 * The run queue: repeating the settings over two seeds runs both one after another (each saved like any
 * run), and the runs panel summarises them as mean ± std; a bad count is refused at the form.
 */
import { expect, test, type Page } from '@playwright/test';
import { Playground, TINIEST_RUN } from './playground';

/** The queue form and list under the run controls. */
class QueuePanel {
  constructor(readonly page: Page) {}
  get count() {
    return this.page.getByTestId('repeat-seeds-count');
  }
  get repeat() {
    return this.page.getByTestId('repeat-seeds');
  }
  get error() {
    return this.page.getByTestId('repeat-seeds-error');
  }
  get status() {
    return this.page.getByTestId('queue-status');
  }
  get items() {
    return this.page.getByTestId('queue-item');
  }
}

test('repeating a run over 2 seeds runs both in turn and shows their mean ± std', async ({ page }) => {
  const app = new Playground(page);
  const queue = new QueuePanel(page);
  // Scratch trains one small model: the quickest run that reaches done. Three epochs of 16 batches, so that
  // on wasm each run lasts a few seconds and the page's 'run k of 2' lines stay long enough to be read.
  await app.open({ ...TINIEST_RUN, subset: '256', epochs: '3', method: 'scratch', seed: '1' });
  await app.waitForStatus('idle', 60_000);
  await expect(queue.status).toHaveText('Queue empty.');

  for (const [count, reason] of [
    ['0', 'Run at least 1 seed.'],
    ['999', 'At most 20 seeds at a time'],
  ] as const) {
    await queue.count.fill(count);
    await expect(queue.count).toHaveAttribute('aria-invalid', 'true');
    await expect(queue.error).toContainText(reason);
    await expect(queue.repeat).toBeDisabled();
    await queue.count.press('Enter'); // submitting the form anyway queues nothing
    await expect(queue.items).toHaveCount(0);
    await expect(queue.status).toHaveText('Queue empty.');
  }

  await queue.count.fill('2');
  await expect(queue.count).toHaveAttribute('aria-invalid', 'false');
  await expect(queue.error).toHaveCount(0);
  await expect(queue.repeat).toHaveText('Run seeds 1\u20132');
  await queue.repeat.click();
  await expect(queue.status).toHaveText('Queue: run 1 of 2 (seed 1)');
  await expect(queue.items).toHaveCount(1);
  await expect(queue.items.first()).toContainText('seed 2');
  await page.getByRole('region', { name: 'Run', exact: true }).screenshot({ path: 'e2e/screenshots/run-queue-running.png' });

  // The second seed starts by itself, and the form and the link show the config that is running.
  await expect(queue.status).toHaveText('Queue: run 2 of 2 (seed 2)', { timeout: 3 * 60_000 });
  await expect(queue.items).toHaveCount(0);
  await expect(page.locator('#cfg-seed')).toHaveValue('2');
  expect(new URL(page.url()).searchParams.get('seed')).toBe('2');

  await expect(queue.status).toHaveText('Queue done: 2 runs finished.', { timeout: 3 * 60_000 });
  await expect(app.status).toHaveText('done');

  // Both runs were saved, and the seeds summary groups them: 2 runs, seeds 1 and 2, mean ± std.
  await expect(page.getByTestId('run-row')).toHaveCount(2);
  const summary = page.getByTestId('runs-seeds').locator('tbody tr');
  await expect(summary).toHaveCount(1);
  await expect(summary).toHaveAttribute('data-role', 'scratch');
  await expect(summary.getByTestId('seed-list')).toHaveText(/^1, 22 runs$/); // ascending, whatever order they ran in
  await expect(summary.getByTestId('seed-mean')).toHaveText(/^\d+\.\d \u00b1 \d+\.\d%$/);
  await app.screenshot('run-queue');
});
