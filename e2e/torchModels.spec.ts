/**
 * PyTorch checkpoints in the page, through the real worker: RepDistiller's resnet20 (../shared/parity, or
 * KD_PARITY_DIR) is read, confirmed, kept and teaches a CIFAR-10 run; a 100-class wrn_16_2 is kept but
 * refused as a CIFAR-10 teacher; broken files each get their own message and change nothing stored. The
 * kept model downloads as .pth and .safetensors with the original's values.
 */
import { expect, test } from '@playwright/test';
import { zipSync } from 'fflate';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readTorchCheckpoint } from '../src/interop/pytorch/checkpoint';
import { Playground, TINIEST_RUN } from './playground';

const PARITY_DIR = resolve(process.env.KD_PARITY_DIR ?? join(process.cwd(), '..', 'shared', 'parity'));

/** A zip-format checkpoint whose pickle calls os.system('ls') when Python's own unpickler reads it. */
const EVIL_CHECKPOINT = Buffer.from(
  zipSync({
    'archive/data.pkl': [new Uint8Array(Buffer.from('\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R.', 'latin1')), { level: 0 }],
    'archive/version': [new TextEncoder().encode('3\n'), { level: 0 }],
  }),
);

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
  const bad: [string, { name: string; mimeType: string; buffer: Buffer }, RegExp][] = [
    ['an empty file', { name: 'empty.pth', mimeType: 'application/octet-stream', buffer: Buffer.alloc(0) }, /empty\.pth is empty/],
    ['a pickle naming another global', { name: 'evil.pth', mimeType: 'application/octet-stream', buffer: EVIL_CHECKPOINT }, /os\.system/],
  ];
  for (const [what, picked, message] of bad) {
    await file.setInputFiles(picked);
    await expect(error, what).toContainText(message, { timeout: 60_000 });
    await expect(confirm).toHaveCount(0);
    await expect(panel.getByTestId('models-empty')).toBeVisible();
  }

  // RepDistiller's resnet20 training checkpoint: inferred, shown, confirmed with its normalisation.
  await file.setInputFiles({ name: 'resnet20.pth', mimeType: 'application/octet-stream', buffer: await readFile(join(PARITY_DIR, 'resnet20.pth')) });
  await expect(confirm).toBeVisible({ timeout: 60_000 });
  await expect(error).toHaveCount(0);
  await expect(confirm.getByTestId('torch-import-model')).toHaveText('ResNet-20');
  await expect(confirm.getByTestId('torch-import-classes')).toHaveText('10');
  await expect(confirm).toContainText('training checkpoint');
  await expect(confirm.getByTestId('torch-import-mean').first()).toHaveValue('0.4914');
  await confirm.getByTestId('torch-import-name').fill('RepDistiller resnet20');
  await confirm.screenshot({ path: 'e2e/screenshots/torch-import-confirm.png' });
  await confirm.getByTestId('torch-import-keep').click();
  await expect(panel.getByTestId('torch-import-done')).toContainText('Imported "RepDistiller resnet20"');
  await expect(rows).toHaveCount(1);

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
});
