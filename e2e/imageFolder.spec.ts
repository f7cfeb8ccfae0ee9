/**
 * Your own images: a small dataset of three classes generated here (PNGs written in Node, JPEG and WebP
 * encoded by the browser's own canvas), imported as a .zip and as a picked folder, decoded in the worker,
 * kept across a reload and trained on, then run on PyTorch from the export; and the bad inputs, each with its
 * message, losing nothing.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { hugePngHeader, jpegMarkers, pngBytes, solidPng, zipOf } from '../tests/helpers/testImages';
import { strFromU8, unzipSync } from 'fflate';
import { METHOD_IDS } from '../src/contract/methodCatalog';
import { dropFile } from './dropFile';
import { Playground, TINIEST_RUN, tiniestMethodParams } from './playground';
import { exportZip, requireTorchPython, torchrun } from './pytorchPackage';

type Files = Record<string, Uint8Array | null>;
const CLASSES = { circle: [220, 40, 40], stripe: [40, 160, 40], square: [40, 40, 220] } as const;

/** Eight 40x30 pictures per class: a class colour and a pattern, with a little per-image variation. */
function shapesDataset(): Files {
  const files: Files = {};
  Object.entries(CLASSES).forEach(([name, [r, g, b]], c) => {
    for (let i = 0; i < 8; i++) {
      files[`shapes/${name}/${i}.png`] = pngBytes(40, 30, (x, y) => {
        const on = c === 0 ? (x - 20) ** 2 + (y - 15) ** 2 < 100 : c === 1 ? x % 8 < 4 : Math.abs(x - 20) < 9 && Math.abs(y - 15) < 9;
        return on ? [r, g, b] : [i * 10, i * 10, i * 10];
      });
    }
  });
  return files;
}

/** A JPEG and a WebP encoded by the page's canvas: real files from a real encoder. */
async function browserEncoded(page: Page): Promise<{ jpeg: Buffer; webp: Buffer }> {
  const [jpeg, webp] = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(48, 36);
    const context = canvas.getContext('2d')!;
    context.fillStyle = '#d22';
    context.fillRect(0, 0, 48, 36);
    const encode = async (type: string) => Array.from(new Uint8Array(await (await canvas.convertToBlob({ type, quality: 0.9 })).arrayBuffer()));
    return [await encode('image/jpeg'), await encode('image/webp')];
  });
  return { jpeg: Buffer.from(jpeg), webp: Buffer.from(webp) };
}

function writeFolder(files: Files): string {
  const root = mkdtempSync(join(tmpdir(), 'distillery-images-'));
  for (const [path, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    if (bytes) writeFileSync(join(root, path), bytes);
    else mkdirSync(join(root, path), { recursive: true });
  }
  return root;
}

/** Opens the page on the tiniest run and imports the shapes as `shapes.zip`, with a JPEG, a WebP and a stray file. */
async function importShapes(app: Playground): Promise<void> {
  const { page } = app;
  await app.open(TINIEST_RUN);
  await app.waitForStatus('idle', 120_000);
  const { jpeg, webp } = await browserEncoded(page);
  const zip = zipOf({ ...shapesDataset(), 'shapes/circle/photo.jpg': jpeg, 'shapes/circle/photo.webp': webp, 'shapes/readme.txt': Buffer.from('hello') });
  await page.getByTestId('dataset-import-input').setInputFiles({ name: 'shapes.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) });
  await expect(page.locator('#cfg-dataset')).toHaveValue('imported-images-shapes', { timeout: 120_000 });
  await expect(page.getByTestId('dataset-import-error')).toHaveCount(0);
}

test('a zip of class folders imports, is kept across a reload and trains; class names come from the folders', async ({ page }) => {
  test.setTimeout(6 * 60_000);
  const app = new Playground(page);
  await importShapes(app);
  const notes = page.getByTestId('dataset-import-notes');
  await expect(notes).toContainText('20% of each class (seed 1) is held out for testing');
  await expect(notes).toContainText('1 file outside any class folder was skipped: shapes/readme.txt');
  // 10 circles (8 PNG, the JPEG and the WebP), 8 stripes, 8 squares: 2 of each class held out.
  await expect(page.locator('.status')).toContainText('shapes.zip (your images, 3 classes, 20 train / 6 test)');
  await page.getByTestId('dataset-import').screenshot({ path: 'e2e/screenshots/import-images.png' });

  await app.reloadAndTrainOn('imported-images-shapes');
  const confusion = page.getByTestId('confusion-table');
  for (const name of Object.keys(CLASSES)) await expect(confusion).toContainText(name);
  await app.screenshot('images-panels');
  // The run is kept like any other.
  await expect(page.getByTestId('runs-panel').getByTestId('run-row')).toHaveCount(1);
  // The teacher, kept, is a three-class model that can teach the next run on these images.
  await app.modelActions('teacher').getByTestId('model-save').click();
  const saved = page.getByTestId('models-panel').getByTestId('model-row');
  await expect(saved).toHaveCount(1);
  await expect(saved.locator('td.num').first()).toHaveText('3');
  await expect(saved.getByTestId('model-use')).toBeEnabled();
  await runOnPytorch(page, { id: 'imported-images-shapes', trainImages: 20, testImages: 6, imageSide: 32 });
});

test('pictures imported at 64x64 are a dataset of their own, kept, trained on at that size, and exported at it', async ({ page }) => {
  test.setTimeout(6 * 60_000);
  const app = new Playground(page);
  await app.open(TINIEST_RUN);
  await app.waitForStatus('idle', 120_000);
  await app.openDatasetImport();
  await page.getByTestId('dataset-import-side').getByLabel(/^64x64/).check();
  await page.getByTestId('dataset-import-input').setInputFiles({ name: 'shapes.zip', mimeType: 'application/zip', buffer: Buffer.from(zipOf(shapesDataset())) });
  await expect(page.locator('#cfg-dataset')).toHaveValue('imported-images-shapes-64px', { timeout: 120_000 });
  await expect(page.locator('.status')).toContainText('shapes.zip (your images, 64x64, 3 classes, 18 train / 6 test)');

  // After a reload the stored 64 px copy is read back and trained on.
  await app.reloadAndTrainOn('imported-images-shapes-64px');
  // The panels show the pictures at the size the models saw them.
  await expect(page.getByTestId('dark-knowledge-panel').locator('canvas.big')).toHaveJSProperty('width', 64);
  await page.getByTestId('own-picture-input').setInputFiles({ name: 'mine.png', mimeType: 'image/png', buffer: Buffer.from(solidPng(100, 80, [220, 40, 40])) });
  const ownPicture = page.getByTestId('own-picture-panel');
  await expect(ownPicture.getByTestId('own-picture-predictions')).toBeVisible({ timeout: 60_000 });
  await expect(ownPicture.locator('canvas.pic').first()).toHaveJSProperty('width', 64);
  await expect(page.getByTestId('own-picture-error')).toHaveCount(0);
  await app.screenshot('images-64-panels');
  await runOnPytorch(page, { id: 'imported-images-shapes-64px', trainImages: 18, testImages: 6, imageSide: 64 });

  // The teacher, kept, remembers it saw 64x64 pictures: offered on them as it is, on a 32x32 dataset with a warning.
  await app.modelActions('teacher').getByTestId('model-save').click();
  const useSaved = page.getByTestId('models-panel').getByTestId('model-row').getByTestId('model-use');
  await useSaved.click();
  await expect(page.locator('#cfg-savedTeacher option:checked')).toHaveText(/^Saved: .*\(Tiny CNN\)$/);
  await expect(page.getByTestId('saved-teacher-side')).toHaveCount(0);
  await app.openDatasetImport();
  await page.getByTestId('dataset-import-side').getByLabel(/^32x32/).check();
  await page.getByTestId('dataset-import-input').setInputFiles({ name: 'shapes.zip', mimeType: 'application/zip', buffer: Buffer.from(zipOf(shapesDataset())) });
  await expect(page.locator('#cfg-dataset')).toHaveValue('imported-images-shapes', { timeout: 120_000 });
  // The menu tells the two sizes apart by what differs, not by two whole titles cut by its width.
  await expect(page.locator('#cfg-dataset option[value="imported-images-shapes-64px"]')).toHaveText(/^shapes\.zip \(64x64[^)]*\)$/);
  await expect(page.locator('#cfg-dataset option[value="imported-images-shapes"]')).toHaveText(/^shapes\.zip( \([^)]*\))?$/);
  await expect(page.locator('#cfg-dataset option[value="imported-images-shapes"]')).not.toContainText('your images');
  // The teacher picked stays picked on the new dataset (same classes), now with the warning.
  await expect(page.locator('#cfg-savedTeacher option:checked')).toHaveText(/^Saved: .*\(Tiny CNN, trained on 64x64\)$/);
  await expect(page.getByTestId('saved-teacher-side')).toContainText("trained on 64x64 images and this dataset's are 32x32");
  await page.getByTestId('teacher-weights-0').screenshot({ path: 'e2e/screenshots/teacher-side-warning.png' });
});

/**
 * "Run it on PyTorch" on the imported images: the zip carries them as the page decoded them, torchrun trains on
 * them with no --data, and the run comes back into the Runs panel. Skipped without a Python that has torch,
 * as the other PyTorch tests are (failed under REQUIRE_TORCH=1).
 */
async function runOnPytorch(page: Page, expected: { id: string; trainImages: number; testImages: number; imageSide: number }): Promise<void> {
  const python = requireTorchPython();
  if (!python) return;
  const scratch = mkdtempSync(join(tmpdir(), 'distillery-images-pytorch-'));
  try {
    const zipPath = await exportZip(page, scratch);
    const files = unzipSync(new Uint8Array(readFileSync(zipPath)));
    const run = JSON.parse(strFromU8(files['run.json']!));
    expect(run.dataset).toMatchObject({ ...expected, kind: 'image-folder', classNames: ['circle', 'square', 'stripe'], file: 'data/images.dstpack' });
    expect(strFromU8(files['data/images.dstpack']!.subarray(0, 8))).toBe('DSTPACK1');
    const { bundleName, bundleText } = await torchrun(python, zipPath, join(scratch, 'results'), null);
    const student = JSON.parse(bundleText).run.results.find((r: { role: string }) => r.role === 'student');
    // Six test pictures: accuracies in sixths.
    expect(student.lastAccuracy * 6).toBeCloseTo(Math.round(student.lastAccuracy * 6), 6);
    await page.getByTestId('bundle-import').setInputFiles({ name: bundleName, mimeType: 'application/json', buffer: Buffer.from(bundleText) });
    await expect(page.getByTestId('runs-panel').getByTestId('run-row').filter({ hasText: 'PyTorch, 2 processes' })).toHaveCount(1);
    await expect(page.getByTestId('bundle-error')).toHaveCount(0);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

test('every method trains on your own images, one after another in one page', async ({ page }) => {
  test.setTimeout(6 * 60_000);
  const app = new Playground(page);
  await importShapes(app);
  // custom has its own spec (its loss is code that needs consent); every other method from the form.
  for (const method of METHOD_IDS.filter((id) => id !== 'custom')) {
    await page.locator('#cfg-method').selectOption(method);
    for (const [key, value] of Object.entries(tiniestMethodParams(method))) await page.locator(`#cfg-${key}`).fill(value);
    await expect.poll(() => new URL(page.url()).searchParams.get('method')).toBe(method);
    await app.button('train').click();
    await app.waitForStatus(['done', 'error']);
    await expect(page.getByTestId('error'), method).toHaveCount(0);
    await expect(app.status, method).toHaveText('done');
    const student = app.results.locator('tr[data-role=student]');
    await expect(student, method).toHaveCount(method === 'scratch' ? 0 : 1);
    // The confusion table names the folders' classes for every method's models.
    await expect(page.getByTestId('confusion-table'), method).toContainText('stripe');
  }
  await expect(page.getByTestId('runs-panel').getByTestId('run-row')).toHaveCount(METHOD_IDS.length - 1);
});

test('a picked folder imports; bad images are named and the rest imported; bad sources are refused and lose nothing', async ({ page }) => {
  test.setTimeout(4 * 60_000);
  const app = new Playground(page);
  await app.open(TINIEST_RUN);
  await app.waitForStatus('idle', 120_000);
  const error = page.getByTestId('dataset-import-error');
  const zipInput = page.getByTestId('dataset-import-input');
  const red = solidPng(8, 8, [200, 0, 0]);
  const broken: [string, Files | Buffer, RegExp][] = [
    ['case.zip', { 'Cat/1.png': red, 'Cat/2.png': red, 'cat/1.png': red, 'cat/2.png': red, 'dog/1.png': red, 'dog/2.png': red }, /differ only in case.*: Cat and cat\. Rename or merge them/],
    ['one.zip', { 'cat/1.png': red, 'cat/2.png': red, 'dog/1.png': red }, /only one class \(cat\)/],
    ['bomb.zip', bombZip(), /add up to \d+ MiB \(as declared, before unpacking\); the page takes at most 512 MiB/],
    ['notzip.zip', Buffer.from('this is not a zip file at all, only some text'), /not a readable \.zip archive/],
  ];
  for (const [name, content, message] of broken) {
    const buffer = Buffer.isBuffer(content) ? content : Buffer.from(zipOf(content));
    await zipInput.setInputFiles({ name, mimeType: 'application/zip', buffer });
    await expect(error, name).toContainText(message, { timeout: 60_000 });
    await expect(error).toContainText(name);
    await expect(page.locator('#cfg-dataset')).toHaveValue('cifar10-subset');
    await expect(app.status).toHaveText('idle');
  }

  const folder = writeFolder({
    'pets/cat/1.png': red,
    'pets/cat/2.png': red,
    'pets/cat/3.jpg': jpegMarkers(64, 64), // a JPEG header with garbage where the picture should be
    'pets/cat/big.png': hugePngHeader(20_000, 20_000),
    'pets/dog/1.png': solidPng(8, 8, [0, 0, 200]),
    'pets/dog/2.png': solidPng(8, 8, [0, 0, 200]),
    'pets/dog/puppies/1.png': red,
    'pets/dog/notes.txt': Buffer.from('x'),
    'pets/fish/1.png': red,
    'pets/empty/': null,
  });
  await page.getByTestId('dataset-import-folder').setInputFiles(join(folder, 'pets'));
  await expect(page.locator('#cfg-dataset')).toHaveValue('imported-images-pets', { timeout: 60_000 });
  const notes = page.getByTestId('dataset-import-notes');
  await expect(notes).toContainText('cat/3.jpg (a damaged JPEG: the browser could not decode it');
  await expect(notes).toContainText('cat/big.png (20000x20000 pixels, more than the 40 megapixels allowed for one image)');
  await expect(notes).toContainText('skipped: pets/dog/puppies/ (1 file)');
  await expect(notes).toContainText('not PNG, JPEG or WebP was skipped: pets/dog/notes.txt');
  await expect(notes).toContainText('only one image was skipped (each class needs one image to train on and one to test on): fish/');
  await expect(page.locator('.status')).toContainText('pets (your images, 2 classes, 2 train / 2 test)');
  // The menu names it; its details go on the line below, so the narrow menu cuts nothing.
  await expect(page.locator('#cfg-dataset option:checked')).toHaveText('pets');
  await expect(page.getByTestId('dataset-details')).toHaveText('your images, 2 classes, 2 train / 2 test');
  await pictureOfImport(page);

  // A .zip dropped on the import area goes the same way, closed as it is on load.
  await page.getByTestId('dataset-import').locator('summary').click();
  await expect(page.getByTestId('dataset-import')).toHaveJSProperty('open', false);
  const dropped = Buffer.from(zipOf({ 'x/1.png': red, 'x/2.png': red, 'y/1.png': red, 'y/2.png': red }));
  await dropFile(page.getByTestId('dataset-import'), { name: 'dropped.zip', mimeType: 'application/zip', buffer: dropped });
  await expect(page.locator('#cfg-dataset')).toHaveValue('imported-images-dropped', { timeout: 60_000 });
});

/** The dataset menu and the import with its notes; `README_PICTURES=1` writes it as the README's picture. */
async function pictureOfImport(page: Page): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 1400 }); // the whole settings column on screen
  const top = (await page.locator('#cfg-dataset').boundingBox())!;
  const area = (await page.getByTestId('dataset-import').boundingBox())!;
  const clip = { x: area.x - 8, y: top.y - 28, width: area.width + 16, height: area.y + area.height - top.y + 36 };
  await page.screenshot({ path: process.env.README_PICTURES === '1' ? 'docs/panels/own-images.png' : 'e2e/screenshots/import-images-notes.png', clip });
  await page.setViewportSize({ width: 1280, height: 720 });
}

/** A zip whose one member claims ~4 GiB in the directory: refused before anything is inflated. */
function bombZip(): Buffer {
  const zip = zipOf({ 'a/1.png': solidPng(4, 4, [1, 1, 1]), 'a/2.png': solidPng(4, 4, [1, 1, 1]), 'b/1.png': new Uint8Array(1000), 'b/2.png': solidPng(4, 4, [2, 2, 2]) });
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  for (let at = zip.length - 46; at >= 0; at--) {
    if (view.getUint32(at, true) === 0x02014b50 && new TextDecoder().decode(zip.subarray(at + 46, at + 53)) === 'b/1.png') view.setUint32(at + 24, 0xfff0_0000, true);
  }
  return Buffer.from(zip);
}
