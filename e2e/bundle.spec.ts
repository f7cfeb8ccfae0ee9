/**
 * Run bundles in the real page, with no training: a bundle built here is imported and listed as
 * imported, exported again (JSON and curves CSV) and re-imported; broken files each get their message
 * while the runs already imported stay. The reproduction's committed bundles summarise over seeds per
 * place they were made in.
 */
import { expect, test, type Download, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { Playground } from './playground';
import { BUNDLE_EPOCHS, bundle } from './runBundles';

const jsonFile = (name: string, value: unknown) => ({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(value, null, 2)) });

async function download(page: Page, testId: string): Promise<{ file: Download; text: string }> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return { file, text: await readFile(await file.path(), 'utf8') };
}

test('a run bundle imports, exports and re-imports; broken files get their message and lose nothing', async ({ page }) => {
  test.setTimeout(3 * 60_000); // no training: a minute is plenty, so a failure should not wait eight
  const app = new Playground(page);
  await app.open();
  await app.waitForStatus('idle', 120_000);
  const panel = page.getByTestId('runs-panel');
  const rows = panel.getByTestId('run-row');
  const input = page.getByTestId('bundle-import');
  const error = page.getByTestId('bundle-error');
  const notes = page.getByTestId('bundle-notes');
  await expect(panel.getByText('No saved runs yet.')).toBeVisible();

  // Imported, listed as imported, ticked so its curves show.
  const original = bundle('Colleague KD run');
  await input.setInputFiles(jsonFile('colleague.distillery-run.json', original));
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Colleague KD run');
  await expect(rows.first().getByTestId('run-imported')).toHaveText('imported');
  await expect(rows.first().getByRole('checkbox')).toBeChecked();
  await expect(notes).toContainText('Imported \u201cColleague KD run\u201d from colleague.distillery-run.json.');
  await expect(panel.getByRole('figure', { name: /Test accuracy per epoch of the ticked runs/ })).toBeVisible();
  await expect(rows.first().getByTestId('run-link')).toHaveAttribute('href', /epochs=3&teacherEpochs=3&subset=128/);

  // Exported: the same config, epochs and results; the curves CSV has its header and a row per epoch.
  const exported = await download(page, 'bundle-export');
  expect(exported.file.suggestedFilename()).toBe('colleague-kd-run.distillery-run.json');
  const json = JSON.parse(exported.text);
  expect(json).toMatchObject({ format: 'distillery-run-bundle', version: 1 });
  expect(json.run.config).toEqual(original.run.config);
  expect(json.run.epochs).toEqual(original.run.epochs);
  expect(json.run.results).toEqual(original.run.results);
  expect(json.run.learners).toEqual(original.run.learners);
  const csv = await download(page, 'bundle-csv');
  expect(csv.file.suggestedFilename()).toBe('colleague-kd-run.curves.csv');
  const lines = csv.text.trimEnd().split('\n');
  expect(lines[0]).toBe('learner,label,role,stage,epoch,lr,train_loss,train_accuracy,test_accuracy,test_nll,ece,seconds,term:ce,term:kd');
  expect(lines).toHaveLength(1 + BUNDLE_EPOCHS.length);

  // The export re-imports as a second run (never over the first).
  await input.setInputFiles({ name: exported.file.suggestedFilename(), mimeType: 'application/json', buffer: Buffer.from(exported.text) });
  await expect(rows).toHaveCount(2);
  await expect(panel.getByTestId('run-imported')).toHaveCount(2);
  await expect(error).toHaveCount(0);

  // An old config is clamped to today's fields, and the panel says what changed.
  await input.setInputFiles(jsonFile('old.distillery-run.json', bundle('Old long run', { epochs: 900, schedule: 'exponential' })));
  await expect(rows).toHaveCount(3);
  await expect(notes).toContainText('epochs=900 is above the maximum; using 500.');
  await expect(notes).toContainText('schedule=exponential is not one of');
  await expect(panel.getByTestId('runs-compare').locator('.js-plotly-plot .scatterlayer .trace')).toHaveCount(6, { timeout: 60_000 });
  await panel.screenshot({ path: 'e2e/screenshots/panel-runs-bundle.png' });

  // An imported run renames and deletes like any other.
  const old = panel.locator(`[data-run-id="${await rows.filter({ hasText: 'Old long run' }).getAttribute('data-run-id')}"]`);
  await old.getByTestId('run-rename').click();
  await old.getByTestId('run-rename-input').fill('Old run, clamped');
  await old.getByTestId('run-rename-input').press('Enter');
  await expect(old).toContainText('Old run, clamped');
  await expect(old.getByTestId('run-imported')).toBeVisible();
  await old.getByTestId('run-delete').click();
  await old.getByTestId('run-delete-confirm').click();
  await expect(rows).toHaveCount(2);

  const text = JSON.stringify(original, null, 2);
  const broken: [string, string, RegExp][] = [
    ['runs.csv', 'id,name,method,teacher,student,seed\nabc,run,kd,resnet8,tiny-cnn,1\n', /runs table CSV, not a run bundle/],
    ['curves.csv', lines.join('\n'), /curves CSV, not a run bundle/],
    ['garbage.json', '\u0000\u0001 not json at all', /not JSON/],
    ['truncated.distillery-run.json', text.slice(0, text.length / 2), /not valid JSON: it may be cut short or damaged/],
    ['model.json', JSON.stringify({ format: 'distillery-network', modelTopology: { model: 'resnet8', numClasses: 10 }, weightsManifest: [] }), /model file \(model\.json\), not a run bundle/],
    ['other.json', JSON.stringify({ format: 'something-else', version: 1 }), /not a Distillery run bundle \(its format is "something-else"\)/],
    ['future.distillery-run.json', JSON.stringify({ ...original, version: 7 }), /newer Distillery/],
    ['bad-metric.distillery-run.json', text.replace('"testAccuracy": 0.25', '"testAccuracy": "high"'), /run\.epochs\[0\]\.testAccuracy should be a finite number/],
  ];
  for (const [name, body, message] of broken) {
    await input.setInputFiles({ name, mimeType: name.endsWith('.csv') ? 'text/csv' : 'application/json', buffer: Buffer.from(body) });
    await expect(error, name).toContainText(message);
    await expect(error).toContainText(name);
    await expect(rows).toHaveCount(2);
  }
  await expect(panel.getByTestId('run-imported')).toHaveCount(2);
});

test('the reproduction\u2019s bundles: one seed made in three places is three experiments, not three seeds', async ({ page }) => {
  test.setTimeout(3 * 60_000);
  const app = new Playground(page);
  await app.open();
  await app.waitForStatus('idle', 120_000);
  const panel = page.getByTestId('runs-panel');
  const sides = { page: 'wasm (Node', pytorch: 'CPU, 1 thread per process', 'pytorch-2-threads': 'CPU, 2 threads per process' };
  const expected: [string, string][] = [];
  for (const side of Object.keys(sides) as (keyof typeof sides)[]) {
    const last: number[] = [];
    for (const seed of [1, 3]) {
      const name = `kd-seed-${seed}.distillery-run.json`;
      const text = await readFile(`reproduction/${side}/${name}`, 'utf8');
      last.push(JSON.parse(text).run.results.find((r: { role: string }) => r.role === 'student').lastAccuracy);
      await page.getByTestId('bundle-import').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
      await expect(page.getByTestId('bundle-notes')).toContainText(`from ${name}`);
    }
    const mean = (last[0]! + last[1]!) / 2;
    expected.push([sides[side], `${(mean * 100).toFixed(1)} \u00b1 ${(Math.abs(last[0]! - last[1]!) * 50 * Math.SQRT2).toFixed(1)}%`]);
  }
  await expect(panel.getByTestId('run-row')).toHaveCount(6);
  const students = panel.getByTestId('runs-seeds').locator('tbody tr[data-role="student"]');
  await expect(students).toHaveCount(3);
  for (const [where, meanStd] of expected) {
    const row = students.filter({ hasText: where }); // experiments come in the order of their newest run
    await expect(row).toHaveCount(1);
    await expect(row.getByTestId('seed-list')).toHaveText(/^1, 3\s*2 runs$/);
    await expect(row.getByTestId('seed-mean')).toHaveText(meanStd);
  }
  await panel.getByTestId('runs-seeds').screenshot({ path: 'e2e/screenshots/panel-runs-seeds-by-place.png', style: '[data-testid=section-nav] { visibility: hidden; }' });
});
