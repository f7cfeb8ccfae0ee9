/**
 * The README's pictures, from a real run: the ready ResNet-20 (64% on the CIFAR-10 subset) distilled into a
 * ResNet-8 with the explainable oracle, on the WebAssembly backend, then every explanation panel on it. Not a
 * test (CI skips it): `npm run readme-pictures` writes docs/screenshot.png and docs/panels/*.png, and prints
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
