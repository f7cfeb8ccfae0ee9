/**
 * PyTorch checkpoints in the page, through the real worker: RepDistiller's resnet20 (../shared/parity, or
 * KD_PARITY_DIR) is read, confirmed, kept and teaches a CIFAR-10 run; a 100-class wrn_16_2 is kept but
 * refused as a CIFAR-10 teacher, and accepted once a CIFAR-100 archive (written here) is imported; broken
 * files each get their own message and change nothing stored. The kept model downloads as .pth and
 * .safetensors with the original's values.
 */
import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readTorchCheckpoint } from '../src/interop/pytorch/checkpoint';
import { brokenTorchFiles } from '../tests/helpers/brokenTorchFiles';
import { tarGz } from './archives';
import { dropFile } from './dropFile';
import { Playground, TINIEST_RUN } from './playground';

const PARITY_DIR = resolve(process.env.KD_PARITY_DIR ?? join(process.cwd(), '..', 'shared', 'parity'));

/** A tiny CIFAR-100 archive in the official binary layout: records of (coarse, fine, 3072 pixels), 100 names. */
function cifar100Archive(): Buffer {
  const records = (count: number) => {
    const bytes = Buffer.alloc(count * 3074);
    for (let i = 0; i < count; i++) {
      bytes[i * 3074] = (i % 100) % 20;
      bytes[i * 3074 + 1] = i % 100;
      for (let p = 2; p < 3074; p++) bytes[i * 3074 + p] = (i * 37 + p * 11) % 256;
    }
    return bytes;
  };
  const names = Array.from({ length: 100 }, (_, i) => `class${i}`).join('\n');
  return tarGz({ 'cifar-100-binary/train.bin': records(200), 'cifar-100-binary/test.bin': records(100), 'cifar-100-binary/fine_label_names.txt': Buffer.from(names) });
}

test('a PyTorch teacher is imported, confirmed and teaches; bad files and class counts are refused', async ({ page }) => {
  // A ResNet-20 teacher on SwiftShader: over 8 minutes on a loaded two-core machine.
  test.setTimeout(15 * 60_000);
  const app = new Playground(page);
  await app.open({ ...TINIEST_RUN, method: 'kd' });
  await app.waitForStatus('idle', 120_000);
  const panel = page.getByTestId('models-panel');
  const rows = panel.getByTestId('model-row');
  const file = panel.getByTestId('torch-import-file');
  const error = panel.getByTestId('torch-import-error');
  const confirm = panel.getByTestId('torch-import-confirm');
  await expect(panel.getByTestId('models-empty')).toBeVisible();

  // Each broken file: its own message, no confirmation, nothing kept.
  for (const { what, fileName, bytes, message } of brokenTorchFiles(PARITY_DIR)) {
    await file.setInputFiles({ name: fileName, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
    await expect(error, what).toContainText(message, { timeout: 60_000 });
    await expect(confirm).toHaveCount(0);
    await expect(panel.getByTestId('models-empty')).toBeVisible();
  }

  // RepDistiller's resnet20 training checkpoint, dropped: inferred, shown, confirmed with its normalisation.
  await dropFile(panel.getByTestId('torch-import'), { name: 'resnet20.pth', mimeType: 'application/octet-stream', buffer: await readFile(join(PARITY_DIR, 'resnet20.pth')) });
  await expect(confirm).toBeVisible({ timeout: 60_000 });
  await expect(error).toHaveCount(0);
  await expect(confirm.getByTestId('torch-import-model')).toHaveText('ResNet-20');
  await expect(confirm.getByTestId('torch-import-classes')).toHaveText('10');
  await expect(confirm).toContainText('training checkpoint');
  await expect(confirm.getByTestId('torch-import-recorded')).toContainText("epoch 240, test accuracy 72.30% ('accuracy')");
  await expect(confirm.getByTestId('torch-import-mean').first()).toHaveValue('0.4914');
  await confirm.getByTestId('torch-import-name').fill('RepDistiller resnet20');
  await confirm.screenshot({ path: 'e2e/screenshots/torch-import-confirm.png' });
  await confirm.getByTestId('torch-import-keep').click();
  await expect(panel.getByTestId('torch-import-done')).toContainText('Imported "RepDistiller resnet20"');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('its script recorded epoch 240');
  await expect(rows.first().locator('td.num').nth(1)).toHaveText('72.3%');

  // A 100-class wrn_16_2 is kept, but it cannot teach CIFAR-10.
  await file.setInputFiles({ name: 'wrn_16_2.pth', mimeType: 'application/octet-stream', buffer: await readFile(join(PARITY_DIR, 'wrn_16_2.pth')) });
  await expect(confirm.getByTestId('torch-import-classes')).toHaveText('100', { timeout: 60_000 });
  await expect(confirm.getByTestId('torch-import-class-note')).toBeVisible();
  await confirm.getByTestId('torch-import-keep').click();
  await expect(rows).toHaveCount(2);
  const wrn = rows.filter({ hasText: 'WRN-16-2' });
  await wrn.getByTestId('model-use').click();
  await expect(panel.getByTestId('model-error')).toContainText('predicts 100 classes, but the dataset in use has 10');
  await expect(page.locator('#cfg-savedTeacher')).toHaveValue('');

  // The resnet20 teaches a tiny KD run to the end, without being trained again.
  const resnet = rows.filter({ hasText: 'RepDistiller resnet20' });
  await resnet.getByTestId('model-use').click();
  await expect(page.locator('#cfg-savedTeacher')).toHaveValue((await resnet.getAttribute('data-model-id'))!);
  await expect(panel.getByTestId('model-error')).toHaveCount(0);
  await app.button('train').click();
  await app.waitForStatus(['done', 'error']);
  await expect(app.status).toHaveText('done');
  const teacherRow = app.results.locator('tr[data-role=teacher]');
  await expect(teacherRow).toContainText('ResNet-20');
  await expect(teacherRow).toContainText('reused');
  // The settings naming the saved teacher, and the results (the README's picture, from a trained teacher, is
  // made by e2e/readmePictures.spec.ts).
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: 'e2e/screenshots/torch-teacher-run.png' });
  await page.setViewportSize({ width: 1280, height: 720 });

  // The kept resnet20 downloads as .pth and .safetensors (in the page, from IndexedDB) holding the very
  // values of the original checkpoint, read back with the importer's reader.
  const original = readTorchCheckpoint(new Uint8Array(await readFile(join(PARITY_DIR, 'resnet20.pth')))).tensors;
  for (const [button, extension] of [['model-export-pth', '.pth'], ['model-export-safetensors', '.safetensors']] as const) {
    const download = page.waitForEvent('download');
    await resnet.getByTestId(button).click();
    const received = await download;
    expect(received.suggestedFilename()).toBe(`repdistiller-resnet20${extension}`);
    const exported = readTorchCheckpoint(new Uint8Array(await readFile((await received.path())!))).tensors;
    expect([...exported.keys()]).toEqual([...original.keys()]);
    const differing = [...original].filter(([name, tensor]) => !Buffer.from(exported.get(name)!.toFloat32().buffer).equals(Buffer.from(tensor.toFloat32().buffer)));
    expect(differing.map(([name]) => name), extension).toEqual([]);
  }

  // On a CIFAR-100 archive (written here: CIFAR-100 cannot be downloaded in CI) the 100-class wrn_16_2 teaches.
  await page.getByTestId('dataset-import-input').setInputFiles({ name: 'cifar-100-binary.tar.gz', mimeType: 'application/gzip', buffer: cifar100Archive() });
  await expect(page.locator('#cfg-dataset')).toHaveValue('imported-cifar100', { timeout: 120_000 });
  await expect(page.getByTestId('dataset-import-error')).toHaveCount(0);
  await wrn.getByTestId('model-use').click();
  await expect(panel.getByTestId('model-error')).toHaveCount(0);
  await expect(page.locator('#cfg-savedTeacher')).toHaveValue((await wrn.getAttribute('data-model-id'))!);
  await expect(page.locator('#cfg-teacher')).toHaveValue('wrn_16_2');
});
