/**
 * The README's pictures, from a real run: the ready ResNet-20 (64% on the CIFAR-10 subset) distilled into a
 * ResNet-8 with the explainable oracle, on the WebAssembly backend, then every explanation panel on it. Not a
 * test (CI skips it): `npm run readme-pictures` writes docs/screenshot.png, docs/panels/*.png and docs/lesson.png, and prints
 * the numbers the README quotes (accuracies, ECE, the t-SNE silhouettes for γ = 0 and γ > 0).
 */
import { expect, test, type Locator } from '@playwright/test';
import { Playground } from './playground';

/** A few epochs on a part of the subset: minutes on a 2-core machine without a GPU. */
const RUN = {
  teacher: 'resnet20', savedTeacher: 'm-d2639b5caf1c9468', student: 'resnet8', method: 'oracle', gamma: '0.2', T: '1.5', alpha: '1', ceWeight: '1',
  epochs: '3', subset: '2560', testSubset: '1017', batch: '64', lr: '0.05', schedule: 'cosine', backend: 'wasm', seed: '1', autostart: '1',
} as const;

test.skip(process.env.README_PICTURES !== '1', 'makes the README pictures: npm run readme-pictures');

async function picture(panel: Locator, name: string): Promise<void> {
  await panel.scrollIntoViewIfNeeded();
  await panel.screenshot({ path: `docs/panels/${name}.png` });
}

test('README pictures from the ready teacher', async ({ page }) => {
  test.setTimeout(60 * 60_000);
  const app = new Playground(page);
  await app.open(RUN);
  await app.waitForStatus(['done', 'error'], 50 * 60_000);
  await expect(app.status).toHaveText('done');
  const results = await app.resultTable();
  console.log(`results: ${JSON.stringify(results)}`);
  await page.setViewportSize({ width: 1280, height: 1500 });
  await page.screenshot({ path: 'docs/screenshot.png' });
  await page.setViewportSize({ width: 1280, height: 720 });

  const calibration = page.getByTestId('reliability-panel');
  console.log(`calibration: ${(await page.getByTestId('reliability-stats').textContent())?.replace(/\s+/g, ' ')}`);
  await picture(calibration, 'calibration');

  const tsne = page.getByTestId('tsne-panel');
  await expect(tsne.getByTestId('tsne-set-reinforced')).toBeVisible({ timeout: 300_000 });
  await tsne.getByTestId('tsne-run').click();
  await expect(tsne.getByTestId('tsne-progress')).toContainText(/x \(γ = 0\): iteration .* done.*x\* .*done/, { timeout: 600_000 });
  const silhouettes = Object.fromEntries(await Promise.all(['plain', 'reinforced'].map(async (key) => [key, Number(await tsne.getByTestId(`tsne-silhouette-${key}`).textContent())] as const)));
  console.log(`t-SNE silhouettes (teacher responses, γ = 0 and γ = 0.2): ${JSON.stringify(silhouettes)}`);
  await picture(tsne, 'tsne');

  await picture(page.getByTestId('confusion-panel'), 'confusion');
  await picture(page.getByTestId('dark-knowledge-panel'), 'dark-knowledge');

  const relevance = page.getByTestId('relevance-panel');
  await expect(relevance.getByTestId('relevance-row')).toHaveCount(6, { timeout: 300_000 });
  await picture(relevance, 'relevance');
});

/**
 * Every lesson at its full pace on the WebAssembly backend, as a learner on this machine would take it: the
 * page's estimate before the run and the run's wall time, printed for the README's lesson table; and the
 * README's lesson picture, from the KD lesson with its question answered.
 */
test('lessons at full pace: their run times, and the README lesson picture', async ({ page }) => {
  test.setTimeout(60 * 60_000);
  const { LESSONS } = await import('../src/lessons/catalog');
  // LESSON_IDS=a,b times only those (the picture comes from kd-vs-scratch).
  const only = process.env.LESSON_IDS?.split(',');
  for (const lesson of LESSONS.filter((l) => !only || only.includes(l.id))) {
    await page.goto(`./?lesson=${lesson.id}&lessonStep=1&backend=wasm`);
    const estimate = page.getByTestId('lesson-estimate');
    await expect(estimate).toContainText('measured', { timeout: 300_000 });
    const estimated = (await estimate.textContent())!.trim();
    const started = Date.now();
    await page.getByTestId('lesson-train').click();
    await new Playground(page).waitForStatus(['done', 'error'], 30 * 60_000);
    console.log(`lesson ${lesson.id}: ${estimated} Ran in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
    if (lesson.id !== 'kd-vs-scratch') continue;
    await page.getByTestId('lesson-next').click();
    const choices = await page.getByTestId('lesson-question').locator('input[type=radio]').all();
    await choices[0]!.check();
    await page.getByTestId('lesson-check').click();
    await expect(page.getByTestId('lesson-verdict')).toBeVisible();
    console.log(`kd-vs-scratch verdict: ${(await page.getByTestId('lesson-verdict').textContent())?.replace(/\s+/g, ' ')}`);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: 'docs/lesson.png' });
    await page.setViewportSize({ width: 1280, height: 720 });
  }
});
