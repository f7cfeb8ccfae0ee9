/**
 * Your own data: the official archive layout imported in the page, parsed in the worker, kept in the
 * browser across a reload, trained on; each broken input gets its message and loses nothing.
 */
import { expect, test } from '@playwright/test';
import { gzipSync } from 'node:zlib';
import { hasSubsetArchive, subsetArchive, tarGz } from './archives';
import { Playground } from './playground';

test('broken archives are refused with a clear message and the dataset in use stays', async ({ page }) => {
  const app = new Playground(page);
  await app.open();
  await app.waitForStatus('idle', 120_000);
  const input = page.getByTestId('dataset-import-input');
  const error = page.getByTestId('dataset-import-error');
  // Closed on load, so the settings that matter first stay in view; what an import says opens it.
  await expect(page.getByTestId('dataset-import')).toHaveJSProperty('open', false);
  const png = await page.locator('header').screenshot();
  const broken: [string, Buffer, RegExp][] = [
    ['empty.tar.gz', Buffer.alloc(0), /empty/i],
    ['picture.tar.gz', png, /not a \.tar\.gz archive/i],
    ['truncated.tar.gz', hasSubsetArchive() ? subsetArchive().subarray(0, 200_000) : tarGz({ 'x.bin': Buffer.alloc(100_000, 7) }).subarray(0, 200), /truncated|damaged/i],
    ['notatar.tar.gz', gzipSync(Buffer.from('just some text, not a tar archive at all')), /not a tar archive|truncated|damaged/i],
    ['other.tar.gz', tarGz({ 'photos/cat.jpg': Buffer.alloc(600, 1) }), /does not contain the CIFAR-10 or CIFAR-100/i],
    ['wrong-size.tar.gz', tarGz({ 'cifar-10-batches-bin/data_batch_1.bin': Buffer.alloc(3073 * 2 + 5) }), /3073-byte CIFAR-10 records expected/i],
  ];
  for (const [name, buffer, message] of broken) {
    await input.setInputFiles({ name, mimeType: 'application/gzip', buffer });
    await expect(error, name).toContainText(message, { timeout: 60_000 });
    await expect(error).toContainText(name);
    await expect(error).toBeVisible();
    await expect(page.locator('#cfg-dataset')).toHaveValue('cifar10-subset');
    await expect(app.status).toHaveText('idle');
  }
  await page.getByTestId('dataset-import').screenshot({ path: 'e2e/screenshots/import-error.png' });
});

test('the official archive layout imports with progress, survives a reload and trains', async ({ page }) => {
  test.skip(!hasSubsetArchive(), 'the CIFAR-10 subset archive is not in ../shared/datasets');
  test.setTimeout(8 * 60_000);
  const app = new Playground(page);
  await app.open({ teacher: 'tiny-cnn', student: 'tiny-cnn', epochs: '1', teacherEpochs: '1', subset: '16', testSubset: '16', batch: '16' });
  await app.waitForStatus('idle', 120_000);
  await page.getByTestId('dataset-import-input').setInputFiles({ name: 'cifar-10-binary-subset.tar.gz', mimeType: 'application/gzip', buffer: subsetArchive() });
  await expect(page.locator('#cfg-dataset')).toHaveValue('imported-cifar10', { timeout: 120_000 });
  await expect(page.getByTestId('dataset-import-error')).toHaveCount(0);
  await expect(page.locator('.status')).toContainText('5085 train / 1017 test');
  await expect(page.locator('#cfg-dataset option:checked')).toHaveText('CIFAR-10');
  await expect(page.getByTestId('dataset-details')).toHaveText('imported archive, 5085 train / 1017 test, from cifar-10-binary-subset.tar.gz');

  // Kept in the browser: a reload (the URL now names the imported dataset) parses it again from there.
  await app.reloadAndTrainOn('imported-cifar10');

  // The run is kept: renamed, it is still there after a reload, and can be deleted.
  const runs = page.getByTestId('runs-panel');
  await expect(runs.getByTestId('run-row')).toHaveCount(1);
  await runs.getByTestId('run-rename').click();
  await runs.getByTestId('run-rename-input').fill('');
  await runs.getByTestId('run-rename-input').press('Enter');
  await expect(runs.getByTestId('run-rename-error')).toBeVisible();
  await runs.getByTestId('run-rename-input').fill('my imported run');
  await runs.getByTestId('run-rename-input').press('Enter');
  await expect(runs.getByTestId('run-row')).toContainText('my imported run');
  await runs.screenshot({ path: 'e2e/screenshots/panel-runs.png' });
  await page.reload();
  await expect(page.getByTestId('runs-panel').getByTestId('run-row')).toContainText('my imported run');
  await page.getByTestId('runs-panel').getByTestId('run-delete').click();
  await page.getByTestId('runs-panel').getByTestId('run-delete-confirm').click();
  await expect(page.getByTestId('runs-panel').getByTestId('run-row')).toHaveCount(0);
});
