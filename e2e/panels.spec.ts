/**
 * After one tiny oracle run, every explanation panel shows that run's own numbers, computed off the main
 * thread (the analysis worker, the training worker), and saves a screenshot to look at.
 */
import { expect, test } from '@playwright/test';
import { dropFile } from './dropFile';
import { Playground, TINY_RUN } from './playground';

test('the panels explain a finished run with its own numbers', async ({ page }) => {
  test.setTimeout(12 * 60_000);
  const app = new Playground(page);
  await app.open({ ...TINY_RUN, subset: '32', testSubset: '64', batch: '32', method: 'oracle', gamma: '2', backend: 'webgpu', autostart: '1' });
  await app.waitForStatus(['done', 'error']);
  await expect(app.status).toHaveText('done');
  await app.expectResultsMatchLogits();

  // Calibration is fitted on the run's hold-out (round(10% of 32) = 3 training images no model saw), scored on the 64 test images.
  await expect(page.getByTestId('reliability-fit-note')).toContainText('T fitted on the 3 held-out training images (no model trained on them), scored on the 64 test images.');
  await expect(page.getByTestId('reliability-stats')).toContainText('Fitted T (on hold-out)');
  await page.getByTestId('reliability-panel').screenshot({ path: 'e2e/screenshots/panel-calibration.png' });

  await test.step('t-SNE of the teacher on x and on x*', async () => {
    const panel = page.getByTestId('tsne-panel');
    await expect(panel.getByTestId('tsne-set-reinforced')).toBeVisible({ timeout: 120_000 });
    await expect(panel.getByTestId('tsne-set-reinforced').locator('h3')).toContainText('γ = 2');
    // Before a layout is run, each map says how to make one rather than drawing empty axes.
    await expect(panel.getByTestId('tsne-not-run-plain')).toHaveText('Press Run t-SNE to lay out these points.');
    await expect(panel.locator('.chart')).toHaveCount(0);
    await panel.getByTestId('tsne-iterations').fill('300');
    await panel.getByTestId('tsne-run').click();
    await expect(panel.getByTestId('tsne-progress')).toContainText(/x \(γ = 0\): iteration 300 \/ 300, done.*x\* .*iteration 300 \/ 300, done/, { timeout: 180_000 });
    await expect(panel.getByTestId('tsne-not-run-plain')).toHaveCount(0);
    // Both maps drawn, every test image a point (64 is below the WebGL threshold: SVG points), before the picture.
    await expect(panel.locator('.chart')).toHaveCount(2);
    for (const chart of await panel.locator('.chart').all()) await expect(chart.locator('.scatterlayer .point')).toHaveCount(64);
    // Side by side, the maps start level although only the x* title wraps.
    const tops = await panel.locator('.chart').evaluateAll((charts) => charts.map((c) => Math.round(c.getBoundingClientRect().top)));
    expect(tops[0]).toBe(tops[1]);
    for (const key of ['plain', 'reinforced']) {
      const silhouette = Number(await panel.getByTestId(`tsne-silhouette-${key}`).textContent());
      expect(silhouette).toBeGreaterThanOrEqual(-1);
      expect(silhouette).toBeLessThanOrEqual(1);
    }
    await panel.scrollIntoViewIfNeeded();
    await panel.screenshot({ path: 'e2e/screenshots/panel-tsne.png' });
  });

  await test.step('confusion matrix and per-class accuracy of every model', async () => {
    const panel = page.getByTestId('confusion-panel');
    await expect(panel.getByTestId('confusion-model')).toHaveValue('student');
    // The matrix counts every test image once.
    const counts = await panel.getByTestId('confusion-table').locator('tbody td.num').allTextContents();
    const total = counts.map(Number).filter(Number.isFinite).reduce((a, b) => a + b, 0);
    expect(total).toBe(64);
    await expect(panel.getByTestId('per-class-table').locator('thead th')).toHaveCount(1 + 1 + 3);
    await panel.screenshot({ path: 'e2e/screenshots/panel-confusion.png' });
  });

  await test.step('dark knowledge: the temperature flattens the teacher\'s distribution', async () => {
    const panel = page.getByTestId('dark-knowledge-panel');
    const entropy = async () => Number.parseFloat((await panel.getByTestId('dark-knowledge-entropy').textContent())!.match(/teacher[^0-9]*([0-9.]+)/i)![1]!);
    await panel.getByTestId('dark-knowledge-temperature').fill('1');
    const cold = await entropy();
    await panel.getByTestId('dark-knowledge-temperature').fill('20');
    await expect.poll(entropy).toBeGreaterThan(cold);
    await expect(panel.getByTestId('dark-knowledge-table').locator('tbody tr')).toHaveCount(10);
    await panel.screenshot({ path: 'e2e/screenshots/panel-dark-knowledge.png' });
  });

  await test.step('relevance maps and x* for test images, recomputed when γ changes', async () => {
    const panel = page.getByTestId('relevance-panel');
    await expect(panel.getByTestId('relevance-row')).toHaveCount(6, { timeout: 120_000 });
    const table = panel.getByTestId('relevance-table');
    await expect(table.locator('tbody tr')).toHaveCount(6);
    const before = await table.textContent();
    await panel.getByTestId('relevance-rule').selectOption('1');
    await panel.getByTestId('relevance-gamma').fill('15');
    await expect.poll(() => table.textContent(), { timeout: 120_000 }).not.toBe(before);
    await expect(panel.getByTestId('relevance-error')).toHaveCount(0);
    await panel.screenshot({ path: 'e2e/screenshots/panel-relevance.png' });
  });

  await test.step('your own picture: predictions, and a clear message for files that are not pictures', async () => {
    const panel = page.getByTestId('own-picture-panel');
    const input = panel.getByTestId('own-picture-input');
    await input.setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not a picture at all') });
    await expect(panel.getByTestId('own-picture-error')).toBeVisible();
    await input.setInputFiles({ name: 'empty.png', mimeType: 'image/png', buffer: Buffer.alloc(0) });
    await expect(panel.getByTestId('own-picture-error')).toBeVisible();
    // Any picture of any size, dropped: here, a screenshot of the results table.
    const picture = await page.getByTestId('results').screenshot();
    await dropFile(panel.locator('.drop'), { name: 'mine.png', mimeType: 'image/png', buffer: picture });
    await expect(panel.getByTestId('own-picture-predictions')).toContainText('Teacher', { timeout: 120_000 });
    await expect(panel.getByTestId('own-picture-predictions')).toContainText('student');
    await expect(panel.getByTestId('own-picture-error')).toHaveCount(0);
    await panel.screenshot({ path: 'e2e/screenshots/panel-own-picture.png' });
    await expect(app.status).toHaveText('done'); // the page is still usable
  });

  await test.step('on a phone, the panels fit the screen', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    for (const id of ['results-panel', 'tsne-panel', 'confusion-panel', 'dark-knowledge-panel', 'relevance-panel', 'own-picture-panel', 'reliability-panel']) {
      const box = await page.getByTestId(id).boundingBox();
      expect(box!.width, id).toBeLessThanOrEqual(375);
    }
    // Nothing outside a scrolling box sticks out of the screen.
    const sticking = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((el) => {
          for (let a = el.parentElement; a; a = a.parentElement) if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return false;
          const r = el.getBoundingClientRect();
          return r.width > 0 && r.right > 376;
        })
        .map((el) => `${el.tagName.toLowerCase()}.${el.className} ${el.getAttribute('data-testid') ?? ''}`),
    );
    expect(sticking).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.getByTestId('relevance-panel').screenshot({ path: 'e2e/screenshots/phone-relevance.png' });
    await page.getByTestId('results-panel').screenshot({ path: 'e2e/screenshots/phone-results.png' });
  });
});
