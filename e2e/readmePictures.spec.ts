/**
 * The README's pictures, from a real run: the ready ResNet-20 (64% on the CIFAR-10 subset) distilled into a
 * ResNet-8 with the explainable oracle, on the WebAssembly backend, then every explanation panel on it; the
 * saved-models, runs, own-picture and PyTorch-teacher pictures from the ready teachers and the reproduction's
 * bundles. Not a test (CI skips it): `npm run readme-pictures` writes docs/screenshot.png, docs/panels/*.png,
 * docs/pytorch-teacher.png and docs/lesson.png, and prints the numbers the README quotes (accuracies, ECE, the
 * t-SNE silhouettes for γ = 0 and γ > 0).
 */
import { expect, test, type Locator } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pngBytes } from '../tests/helpers/testImages';
import { Playground } from './playground';
import { requireTorchPython } from './pytorchPackage';

/** A few epochs on a part of the subset: minutes on a 2-core machine without a GPU. */
const RUN = {
  teacher: 'resnet20', savedTeacher: 'm-d2639b5caf1c9468', student: 'resnet8', method: 'oracle', gamma: '0.2', T: '1.5', alpha: '1', ceWeight: '1',
  epochs: '3', subset: '2560', testSubset: '1017', batch: '64', lr: '0.05', schedule: 'cosine', backend: 'wasm', seed: '1', autostart: '1',
} as const;

test.skip(process.env.README_PICTURES !== '1', 'makes the README pictures: npm run readme-pictures');

async function picture(panel: Locator, name: string): Promise<void> {
  await panel.scrollIntoViewIfNeeded();
  // The sticky section list would cover a panel taller than the window.
  await panel.screenshot({ path: `docs/panels/${name}.png`, style: '[data-testid=section-nav] { visibility: hidden; }' });
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
  // Both maps drawn with every test image (SVG points below the WebGL threshold): a redraw is paced, so the
  // second map may lag the 'done' by a moment.
  await expect(tsne.locator('.chart')).toHaveCount(2);
  for (const chart of await tsne.locator('.chart').all()) await expect(chart.locator('.scatterlayer .point')).toHaveCount(1017);
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

/** RepDistiller's checkpoint format (`ckpt_epoch_<n>.pth`, legacy serialisation) holding a package safetensors file's weights. */
const REPDISTILLER_CHECKPOINT = `
import sys, torch
from distillery_torch.checkpoints import load_state_dict
state, metadata = load_state_dict(sys.argv[1])
accuracy = 100 * float(metadata["testAccuracy"])
torch.save({"epoch": int(sys.argv[3]), "model": state, "accuracy": accuracy, "optimizer": {"state": {}, "param_groups": []}}, sys.argv[2], _use_new_zipfile_serialization=False)
`;

/** The first CIFAR-10 test picture of a class, from ../shared, as a PNG enlarged 4x: a real photograph as a file. */
function cifarTestPicture(label: number): Buffer {
  const bytes = readFileSync(join(process.cwd(), '..', 'shared', 'datasets', 'cifar10-subset', 'cifar-10-batches-bin', 'test_batch.bin'));
  let offset = 0;
  while (bytes[offset] !== label) offset += 3073;
  const plane = (c: number, x: number, y: number) => bytes[offset + 1 + c * 1024 + y * 32 + x]!;
  return pngBytes(128, 128, (x, y) => [0, 1, 2].map((c) => plane(c, x >> 2, y >> 2)) as [number, number, number]);
}

/**
 * The pictures of kept runs, saved models, a PyTorch teacher and your own picture, from real models: the ready
 * teachers installed as a visitor's page installs them; the ready ResNet-56's weights written in RepDistiller's
 * checkpoint format by Debian's PyTorch, imported and teaching a short KD run; a CIFAR-10 test photograph
 * dropped on the own-picture panel; and the reproduction's five KD bundles imported into Runs.
 */
test('README pictures of runs, saved models, a PyTorch teacher and your own picture', async ({ page }) => {
  test.setTimeout(40 * 60_000);
  const python = requireTorchPython();
  if (!python) return;
  const app = new Playground(page);
  await app.open({ backend: 'wasm' });
  await app.waitForStatus('idle', 300_000);
  const models = page.getByTestId('models-panel');
  const row = (id: string) => models.locator(`[data-testid=model-row][data-model-id="${id}"]`);
  // The default demo installs the ready ResNet-20; picking the other two installs them.
  for (const id of ['m-d2639b5caf1c9468', 'm-a0f20cd23df56552', 'm-ad2d072d2151c656']) {
    await page.locator('#cfg-savedTeacher').selectOption(id);
    await expect(row(id)).toHaveCount(1, { timeout: 300_000 });
  }

  const folder = mkdtempSync(join(tmpdir(), 'distillery-readme-'));
  const checkpoint = join(folder, 'ckpt_epoch_40.pth');
  execFileSync(python, ['-c', REPDISTILLER_CHECKPOINT, 'public/teachers/resnet56.safetensors', checkpoint, '40'], { env: { ...process.env, PYTHONPATH: 'python' } });
  await models.getByTestId('torch-import-file').setInputFiles({ name: 'ckpt_epoch_40.pth', mimeType: 'application/octet-stream', buffer: readFileSync(checkpoint) });
  const confirm = models.getByTestId('torch-import-confirm');
  await expect(confirm.getByTestId('torch-import-model')).toHaveText('ResNet-56', { timeout: 120_000 });
  await confirm.getByTestId('torch-import-name').fill('resnet56_vanilla, epoch 40 (PyTorch)');
  await confirm.getByTestId('torch-import-keep').click();
  const imported = models.getByTestId('model-row').filter({ hasText: 'resnet56_vanilla' });
  await expect(imported).toHaveCount(1);
  await picture(models, 'models');

  const id = (await imported.getAttribute('data-model-id'))!;
  await app.open({ teacher: 'resnet56', savedTeacher: id, student: 'resnet8', method: 'kd', T: '4', alpha: '0.9', ceWeight: '0.1', epochs: '6', subset: '2560', testSubset: '1017', batch: '64', lr: '0.05', schedule: 'cosine', backend: 'wasm', seed: '1', autostart: '1' });
  await app.waitForStatus(['done', 'error'], 30 * 60_000);
  await expect(app.status).toHaveText('done');
  console.log(`PyTorch-teacher run: ${JSON.stringify(await app.resultTable())}`);
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: 'docs/pytorch-teacher.png' });
  await page.setViewportSize({ width: 1280, height: 720 });

  const ownPicture = page.getByTestId('own-picture-panel');
  await page.getByTestId('own-picture-input').setInputFiles({ name: 'ship.png', mimeType: 'image/png', buffer: cifarTestPicture(8) });
  await expect(ownPicture.getByTestId('own-picture-predictions')).toBeVisible({ timeout: 120_000 });
  console.log(`own picture: ${(await ownPicture.getByTestId('own-picture-predictions').textContent())?.replace(/\s+/g, ' ')}`);
  await picture(ownPicture, 'own-picture');

  const runs = page.getByTestId('runs-panel');
  for (const seed of [1, 2, 3, 4, 5]) {
    const file = `reproduction/page/kd-seed-${seed}.distillery-run.json`;
    await page.getByTestId('bundle-import').setInputFiles({ name: `kd-seed-${seed}.distillery-run.json`, mimeType: 'application/json', buffer: readFileSync(file) });
    await expect(runs.getByTestId('run-row')).toHaveCount(1 + seed);
  }
  console.log(`over seeds: ${(await runs.getByTestId('runs-seeds').textContent())?.replace(/\s+/g, ' ')}`);
  await picture(runs, 'runs');
});
