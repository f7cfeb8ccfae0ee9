/**
 * PyTorch checkpoints in the page, through the real worker: RepDistiller's resnet20 (../shared/parity, or
 * KD_PARITY_DIR) is read, confirmed, kept and teaches a CIFAR-10 run; a 100-class wrn_16_2 is kept but
 * refused as a CIFAR-10 teacher; broken files each get their own message and change nothing stored. A
 * trained model downloads as .safetensors and .pth.
 */
import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Playground, TINIEST_RUN } from './playground';

const PARITY_DIR = resolve(process.env.KD_PARITY_DIR ?? join(process.cwd(), '..', 'shared', 'parity'));

/** A protocol-2 pickle that calls os.system('ls') when Python's own unpickler reads it. */
const EVIL_PICKLE = Buffer.concat([Buffer.from('\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R.', 'latin1')]);

test('a PyTorch teacher is imported, confirmed and teaches; bad files and class counts are refused', async ({ page }) => {
  test.setTimeout(10 * 60_000);
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
    ['a pickle naming another global', { name: 'evil.pth', mimeType: 'application/octet-stream', buffer: EVIL_PICKLE }, /os\.system/],
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

  // The distilled student downloads as PyTorch files.
  const student = app.results.locator('tr[data-role=student]');
  for (const [button, extension] of [['model-download-safetensors', '.safetensors'], ['model-download-pth', '.pth']] as const) {
    const download = page.waitForEvent('download');
    await student.getByTestId(button).click();
    const received = await download;
    expect(received.suggestedFilename().endsWith(extension)).toBe(true);
    const bytes = await readFile((await received.path())!);
    expect(bytes.length).toBeGreaterThan(1000);
    if (extension === '.pth') expect(bytes.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
  }
});
