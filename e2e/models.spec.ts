/**
 * Train a teacher once, distil many students: a trained model is kept in the browser across a reload,
 * exported in the tfjs format, imported back (bad files refused, nothing lost) and used as the teacher
 * of a new run that does not train it again.
 */
import { expect, test, type Download, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { Playground, TINIEST_RUN } from './playground';

async function downloads(page: Page, count: number, action: () => Promise<void>): Promise<Download[]> {
  const received: Download[] = [];
  const listener = (download: Download) => void received.push(download);
  page.on('download', listener);
  await action();
  await expect.poll(() => received.length).toBe(count);
  page.off('download', listener);
  return received;
}

test('a trained model is saved, exported, re-imported and teaches a later run', async ({ page }) => {
  test.setTimeout(10 * 60_000);
  const app = new Playground(page);
  // The cheapest run that trains a model: the scratch baseline alone.
  await app.open({ ...TINIEST_RUN, method: 'scratch', autostart: '1' });
  await app.waitForStatus(['done', 'error']);
  await expect(app.status).toHaveText('done');
  const panel = page.getByTestId('models-panel');
  const rows = panel.getByTestId('model-row');

  // Keep the model; export it as model.json + weights.
  const trained = app.modelActions('scratch');
  await trained.getByTestId('model-save').click();
  await expect(trained.getByTestId('model-action-status')).toContainText('Saved as');
  await expect(rows).toHaveCount(1);
  const files = await downloads(page, 2, () => trained.getByTestId('model-download').click());
  const byName = Object.fromEntries(await Promise.all(files.map(async (d) => [d.suggestedFilename(), await readFile((await d.path())!)] as const)));
  const jsonName = Object.keys(byName).find((n) => n.endsWith('.json'))!;
  const binName = Object.keys(byName).find((n) => n.endsWith('.weights.bin'))!;
  const manifest = JSON.parse(byName[jsonName]!.toString('utf8'));
  expect(manifest).toMatchObject({ format: 'distillery-network', modelTopology: { model: 'tiny-cnn', numClasses: 10 } });
  expect(manifest.weightsManifest[0].paths).toEqual([binName]);
  const weights = byName[binName]!;
  // The same model as PyTorch files (zip checkpoint, safetensors), named after it.
  for (const [button, extension] of [['model-download-pth', '.pth'], ['model-download-safetensors', '.safetensors']] as const) {
    const [file] = await downloads(page, 1, () => trained.getByTestId(button).click());
    expect(file!.suggestedFilename()).toBe(binName.replace('.weights.bin', extension));
    const bytes = await readFile((await file!.path())!);
    if (extension === '.pth') expect(bytes.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
    else expect(JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8')).__metadata__).toMatchObject({ model: 'tiny-cnn', numClasses: '10' });
  }

  // A reload keeps the saved model.
  await page.reload();
  await app.waitForStatus('idle', 120_000);
  await expect(rows).toHaveCount(1);

  // Bad files are refused with a message; what is stored stays.
  const input = page.getByTestId('model-import');
  const error = panel.getByTestId('model-error');
  const json = (value: unknown) => ({ name: jsonName, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(value)) });
  const bin = { name: binName, mimeType: 'application/octet-stream', buffer: weights };
  const bad: [string, Parameters<typeof input.setInputFiles>[0], RegExp][] = [
    ['only the json', [json(manifest)], /Pick two files together/],
    ['a picture as json', [{ name: 'model.json', mimeType: 'application/json', buffer: await page.locator('header').screenshot() }, bin], /not JSON/],
    ['another class count', [json({ ...manifest, modelTopology: { model: 'tiny-cnn', numClasses: 100 } }), bin], /predicts 100 classes, but the dataset in use has 10/],
    ['cut weights', [json(manifest), { ...bin, buffer: weights.subarray(0, weights.length - 8) }], /do not belong together, or the weights file is cut short/],
    ['another architecture', [json({ ...manifest, modelTopology: { model: 'resnet8', numClasses: 10 } }), bin], /that a ResNet-8 does not have/],
  ];
  for (const [what, picked, message] of bad) {
    await input.setInputFiles(picked);
    await expect(error, what).toContainText(message, { timeout: 60_000 });
    await expect(rows).toHaveCount(1);
  }
  await panel.screenshot({ path: 'e2e/screenshots/panel-models-error.png' });

  // The exported model imports back (listed first, the newest) and teaches a KD run that does not train it.
  await input.setInputFiles([json(manifest), bin]);
  await expect(panel.getByTestId('model-message')).toContainText('Imported', { timeout: 60_000 });
  await expect(rows).toHaveCount(2);
  const imported = rows.first();
  await expect(imported).toContainText(manifest.userDefinedMetadata.name);
  await page.locator('#cfg-method').selectOption('kd');
  await imported.getByTestId('model-use').click();
  await expect(page.locator('#cfg-savedTeacher')).toHaveValue(await imported.getAttribute('data-model-id') as string);
  expect(new URL(page.url()).searchParams.get('savedTeacher')).toMatch(/^m-[0-9a-f]{16}$/);
  await expect(imported).toContainText('teacher of the next run');
  await panel.screenshot({ path: 'e2e/screenshots/panel-models.png' });

  await app.button('train').click();
  await app.waitForStatus(['done', 'error']);
  await expect(app.status).toHaveText('done');
  const teacherRow = app.results.locator('tr[data-role=teacher]');
  await expect(teacherRow).toContainText('Saved teacher (Tiny CNN)');
  await expect(teacherRow).toContainText('reused');
  expect((await app.resultTable()).map((r) => r.role)).toEqual(['teacher', 'scratch', 'student']);
  // On a laptop's screen the numbers fit their panel, and every model's buttons show in full (they were once
  // a column that pushed them off the panel's edge).
  await page.setViewportSize({ width: 1280, height: 800 });
  const scroller = app.results.locator('xpath=..');
  expect(await scroller.evaluate((box) => box.scrollWidth - box.clientWidth)).toBeLessThanOrEqual(0);
  const panelRight = await page.getByTestId('results-panel').evaluate((box) => box.getBoundingClientRect().right);
  for (const role of ['teacher', 'scratch', 'student'] as const) {
    const buttons = app.modelActions(role).getByRole('button');
    await expect(buttons).toHaveCount(4);
    for (const right of await buttons.evaluateAll((all) => all.map((b) => b.getBoundingClientRect().right))) expect(right, role).toBeLessThanOrEqual(panelRight);
  }
  await page.getByTestId('results-panel').screenshot({ path: 'e2e/screenshots/panel-results.png' });

  // Deleting asks first: Keep keeps it; Delete removes it from this browser for good.
  const older = rows.last();
  await older.getByTestId('model-delete').click();
  await older.getByTestId('model-delete-cancel').click();
  await expect(rows).toHaveCount(2);
  await older.getByTestId('model-delete').click();
  await older.getByTestId('model-delete-confirm').click();
  await expect(rows).toHaveCount(1);
  await page.reload();
  await app.waitForStatus('idle', 120_000);
  await expect(rows).toHaveCount(1);
});

test('a link naming a saved model this browser lacks says so and the run explains it', async ({ page }) => {
  const app = new Playground(page);
  await app.open({ ...TINIEST_RUN, savedTeacher: 'm-0123456789abcdef' });
  await app.waitForStatus('idle', 120_000);
  await expect(page.getByTestId('saved-teacher-missing')).toBeVisible();
  await app.button('train').click();
  await expect(page.getByTestId('error')).toContainText(/not in this browser/, { timeout: 120_000 });
  await expect(app.button('train')).toBeEnabled();
});
