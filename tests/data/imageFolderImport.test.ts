/**
 * Importing folders and zips of real PNGs made here, decoded by the test's PNG reader (the browser's decoder
 * is the e2e test's): labels from the folders, a seeded class-balanced split, exact channel statistics, bad
 * images named and left out, zip bombs refused on their declared sizes, the stored copy read back.
 */
import { describe, expect, it, vi } from 'vitest';
import { datasetName, importImageFolder, type ImageDecoder } from '../../src/data/imageFolderImport';
import { zipEntries } from '../../src/data/zipEntries';
import { packDataset, unpackDataset } from '../../src/data/packedDataset';
import { IMAGE_BYTES } from '../../src/data/cifarBinary';
import { decodeTestPng, folderEntries, hugePngHeader, jpegMarkers, pngBytes, solidPng, zipOf } from '../helpers/testImages';

type Rgb = [number, number, number];
const COLOURS: Record<string, Rgb> = { blue: [0, 0, 255], green: [0, 255, 0], red: [255, 0, 0] };

/** `perClass` images of each colour, 40x30 (so the crop matters), as `colour/<i>.png`. */
function colourFolder(perClass: number): Record<string, Uint8Array | null> {
  return Object.fromEntries(
    Object.entries(COLOURS).flatMap(([name, rgb]) => Array.from({ length: perClass }, (_, i) => [`${name}/${String(i).padStart(2, '0')}.png`, solidPng(40, 30, rgb)])),
  );
}

const importFolder = (files: Record<string, Uint8Array | null>, decode: ImageDecoder = decodeTestPng, seed?: number) =>
  importImageFolder(folderEntries(files), { sourceName: 'My Colours', decode, ...(seed === undefined ? {} : { splitSeed: seed }) });

describe('importing an image folder', () => {
  it('labels images by folder, holds out a seeded 20% of each class, and states it', async () => {
    const { dataset, notes } = await importFolder(colourFolder(10));
    const { manifest, train, test } = dataset;
    expect(manifest.name).toBe('imported-images-my-colours');
    expect(manifest.format).toBe('image-folder');
    expect(manifest.classNames).toEqual(['blue', 'green', 'red']);
    expect([train.count, test.count]).toEqual([24, 6]);
    expect(Array.from(test.labels)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(manifest.title).toBe('My Colours (your images, 3 classes, 24 train / 6 test)');
    expect(notes).toContain('No test/ or val/ folder: 20% of each class (seed 1) is held out for testing, the same images at every import.');
    // Every pixel of a red image is red: labels and pixels stay together.
    for (let i = 0; i < train.count; i++) {
      const rgb = COLOURS[manifest.classNames[train.labels[i]!]!]!;
      expect(Array.from(train.images.subarray(i * IMAGE_BYTES, i * IMAGE_BYTES + 3))).toEqual(rgb);
    }
    // Exact statistics: a third of the training pixels is 255 in each channel.
    manifest.mean.forEach((m) => expect(m).toBeCloseTo(1 / 3, 6));
    manifest.std.forEach((s) => expect(s).toBeCloseTo(Math.sqrt(2) / 3, 6));
  });

  it('reports progress in bytes read, up to every planned image', async () => {
    const files = colourFolder(2);
    const total = Object.values(files).reduce((sum, bytes) => sum + bytes!.length, 0);
    const seen: number[] = [];
    await importImageFolder(folderEntries(files), { sourceName: 'c', decode: decodeTestPng, onProgress: (p) => (expect(p.totalBytes).toBe(total), seen.push(p.loadedBytes)) });
    expect(seen).toHaveLength(6);
    expect(seen.every((value, i) => i === 0 || value > seen[i - 1]!)).toBe(true);
    expect(seen.at(-1)).toBe(total);
  });

  it('makes the same split for the same seed and another for another seed', async () => {
    // Images that differ (a pixel marks the index), so a different split shows in the bytes.
    const files = Object.fromEntries(['a', 'b'].flatMap((c) => Array.from({ length: 10 }, (_, i) => [`${c}/${i}.png`, pngBytes(8, 8, (x, y) => (x === 4 && y === 4 ? [i * 20, c === 'a' ? 0 : 255, 0] : [0, 0, 0]))])));
    const pick = (dataset: Awaited<ReturnType<typeof importFolder>>['dataset']) => dataset.test.images.join(',');
    const first = await importFolder(files);
    expect(pick((await importFolder(files)).dataset)).toBe(pick(first.dataset));
    expect(pick((await importFolder(files, decodeTestPng, 7)).dataset)).not.toBe(pick(first.dataset));
  });

  it('crops the centred square before resizing', async () => {
    // 60x20: left and right thirds black, the centred 20x20 square white.
    const stripe = pngBytes(60, 20, (x) => (x >= 20 && x < 40 ? [255, 255, 255] : [0, 0, 0]));
    const { dataset } = await importFolder({ 'a/1.png': stripe, 'a/2.png': stripe, 'b/1.png': stripe, 'b/2.png': stripe });
    expect(dataset.train.images.every((value) => value === 255)).toBe(true);
  });

  it('uses the test folder when there is one', async () => {
    const files = { 'train/a/1.png': solidPng(8, 8, [1, 1, 1]), 'train/b/1.png': solidPng(8, 8, [2, 2, 2]), 'test/a/1.png': solidPng(8, 8, [3, 3, 3]), 'test/b/1.png': solidPng(8, 8, [4, 4, 4]) };
    const { dataset, notes } = await importFolder(files);
    expect([dataset.train.count, dataset.test.count]).toEqual([2, 2]);
    expect([dataset.test.images[0], dataset.test.images[IMAGE_BYTES]]).toEqual([3, 4]);
    expect(notes).toContain('The test images are the ones in test/.');
  });

  it('names a corrupt JPEG, a 20000x20000 PNG and a non-image with an image name, and imports the rest', async () => {
    const decode = vi.fn(decodeTestPng);
    const files = { ...colourFolder(3), 'red/corrupt.jpg': jpegMarkers(64, 64), 'red/huge.png': hugePngHeader(20_000, 20_000), 'green/text.png': new TextEncoder().encode('not a picture') };
    const { dataset, notes } = await importFolder(files, decode);
    expect(dataset.train.count + dataset.test.count).toBe(9);
    const skipped = notes.find((note) => note.startsWith('3 images could not be used'))!;
    expect(skipped).toContain('red/corrupt.jpg (a damaged JPEG: the browser could not decode it)');
    expect(skipped).toContain('red/huge.png (20000x20000 pixels, more than the 40 megapixels allowed for one image)');
    expect(skipped).toContain('green/text.png (not a PNG, JPEG or WebP image)');
    // The huge PNG was refused on its header: the decoder never saw it.
    expect(decode.mock.calls.some(([, header]) => header.width === 20_000)).toBe(false);
  });

  it('names an image over the per-image byte cap without reading it', async () => {
    const entries = folderEntries(colourFolder(3)).map((entry) => (entry.path === 'red/00.png' ? { ...entry, size: 40_000_000, read: vi.fn(entry.read) } : entry));
    const { notes } = await importImageFolder(entries, { sourceName: 'c', decode: decodeTestPng });
    expect(notes).toContain('1 image could not be used and was skipped: red/00.png (38.1 MiB, more than the 32 MiB allowed for one image).');
    expect(entries.find((entry) => entry.path === 'red/00.png')!.read).not.toHaveBeenCalled();
  });

  it('refuses the import when too few classes have readable images left', async () => {
    const files = { 'a/1.png': solidPng(4, 4, [1, 1, 1]), 'a/2.png': solidPng(4, 4, [1, 1, 1]), 'b/1.jpg': jpegMarkers(8, 8), 'b/2.jpg': jpegMarkers(8, 8) };
    await expect(importFolder(files)).rejects.toThrow('Fewer than two classes have readable images (b/ had too few): nothing was imported.');
  });

  it('resizes to 64x64 when asked: a dataset of its own, its size in the title and the manifest, the same crop', async () => {
    const stripe = pngBytes(60, 20, (x) => (x >= 20 && x < 40 ? [255, 255, 255] : [0, 0, 0]));
    const files = { ...colourFolder(5), 'white/1.png': stripe, 'white/2.png': stripe };
    const { dataset } = await importImageFolder(folderEntries(files), { sourceName: 'My Colours', decode: decodeTestPng, side: 64 });
    const { manifest, train, test } = dataset;
    expect(manifest.name).toBe('imported-images-my-colours-64px');
    expect(manifest.title).toBe('My Colours (your images, 64x64, 4 classes, 13 train / 4 test)');
    expect(manifest.imageSide).toBe(64);
    expect(manifest.source).toContain('resized to 64x64');
    expect([train.side, test.side]).toEqual([64, 64]);
    expect([train.images.length, test.images.length]).toEqual([13 * 64 * 64 * 3, 4 * 64 * 64 * 3]);
    // The last pixel of every image is its class colour: no image spills into the next at 64x64.
    const perImage = 64 * 64 * 3;
    for (let i = 0; i < train.count; i++) {
      const name = manifest.classNames[train.labels[i]!]!;
      const last = Array.from(train.images.subarray((i + 1) * perImage - 3, (i + 1) * perImage));
      expect(last).toEqual(name === 'white' ? [255, 255, 255] : COLOURS[name]);
    }
  });

  it('names the dataset after the source, as a URL-safe id', () => {
    expect(datasetName('Holiday Photos 2024.zip', 64)).toBe('imported-images-holiday-photos-2024-64px');
    expect(datasetName('Holiday Photos 2024.zip')).toBe('imported-images-holiday-photos-2024');
    expect(datasetName('Ünïcode!!')).toBe('imported-images-n-code');
    expect(datasetName('***')).toBe('imported-images-dataset');
  });
});

describe('importing a zip', () => {
  it('reads a zip of class folders (with a wrapping folder and folder entries)', async () => {
    const files = Object.fromEntries(Object.entries(colourFolder(5)).map(([path, bytes]) => [`colours/${path}`, bytes]));
    const zip = zipOf({ 'colours/': null, ...files, 'colours/empty/': null });
    const { dataset, notes } = await importImageFolder(zipEntries(zip, 'colours.zip'), { sourceName: 'colours.zip', decode: decodeTestPng });
    expect(dataset.manifest.classNames).toEqual(['blue', 'green', 'red']);
    expect(dataset.manifest.name).toBe('imported-images-colours');
    expect(dataset.train.count + dataset.test.count).toBe(15);
    expect(notes.join(' ')).toContain('empty/');
  });

  it('refuses a decompression bomb on its declared sizes, before inflating anything', async () => {
    const zip = zipOf({ 'a/1.png': solidPng(4, 4, [1, 1, 1]), 'a/2.png': solidPng(4, 4, [1, 1, 1]), 'b/1.png': solidPng(4, 4, [2, 2, 2]), 'b/bomb.png': new Uint8Array(1000) });
    patchDeclaredSize(zip, 'b/bomb.png', 0xfff0_0000); // claims ~4 GiB
    const entries = zipEntries(zip, 'bomb.zip');
    const reads = entries.map((entry) => vi.spyOn(entry, 'read'));
    await expect(importImageFolder(entries, { sourceName: 'bomb.zip', decode: decodeTestPng })).rejects.toThrow(/add up to 4096 MiB \(as declared, before unpacking\)/);
    reads.forEach((read) => expect(read).not.toHaveBeenCalled());
  });

  it('never inflates a member past the size it declares', async () => {
    const zip = zipOf({ 'a/big.bin': new Uint8Array(1_000_000) });
    patchDeclaredSize(zip, 'a/big.bin', 100);
    const [entry] = zipEntries(zip, 'liar.zip');
    expect((await entry!.read()).length).toBe(100);
  });

  it('says a damaged or empty file is not a readable zip', () => {
    expect(() => zipEntries(new TextEncoder().encode('PK but not really a zip at all, just text'), 'broken.zip')).toThrow('broken.zip is not a readable .zip archive (no zip directory found).');
    expect(() => zipEntries(new Uint8Array(), 'empty.zip')).toThrow('empty.zip is not a readable .zip archive (the file is empty).');
  });
});

describe('the stored copy', () => {
  it('reads back exactly what was imported, and refuses a damaged one', async () => {
    const { dataset } = await importFolder(colourFolder(4));
    const back = await unpackDataset(packDataset(dataset), dataset.manifest.name);
    expect(back.manifest).toEqual(dataset.manifest);
    expect(back.train.images).toEqual(dataset.train.images);
    expect(back.test.labels).toEqual(dataset.test.labels);
    const truncated = packDataset(dataset).slice(0, 100);
    await expect(unpackDataset(truncated, 'x')).rejects.toThrow(/stored copy of x is damaged.*import the images again/);
    const bytes = new Uint8Array(await packDataset(dataset).arrayBuffer());
    bytes[bytes.length - 1] = 7; // the last test label, in a 3-class dataset
    await expect(unpackDataset(new Blob([bytes]), 'x')).rejects.toThrow('the stored copy of x is damaged (a label outside its 3 classes); import the images again.');
  });

  it('reads back a 64x64 import, and refuses a copy whose size does not match its pixels or is not offered', async () => {
    const { dataset } = await importImageFolder(folderEntries(colourFolder(3)), { sourceName: 'c', decode: decodeTestPng, side: 64 });
    const back = await unpackDataset(packDataset(dataset), 'c');
    expect(back.manifest.imageSide).toBe(64);
    expect([back.train.side, back.test.side]).toEqual([64, 64]);
    expect(back.train.images).toEqual(dataset.train.images);
    expect(back.test.images).toEqual(dataset.test.images);
    // The same pixels described as 32x32, or as a size no import makes: refused, never read at the wrong stride.
    const relabelled = (imageSide: unknown) => packDataset({ ...dataset, manifest: { ...dataset.manifest, imageSide: imageSide as number }, train: { ...dataset.train, side: 64 }, test: { ...dataset.test, side: 64 } });
    expect(() => relabelled(32)).toThrow(/images of another size than its description says/);
    const forged = async (imageSide: unknown) => {
      const json = new TextEncoder().encode(JSON.stringify({ ...dataset.manifest, imageSide }));
      const original = new Uint8Array(await packDataset(dataset).arrayBuffer());
      const oldLength = new DataView(original.buffer).getUint32(8, true);
      const head = new Uint8Array(12);
      head.set(original.subarray(0, 8));
      new DataView(head.buffer).setUint32(8, json.length, true);
      return new Blob([head, json, original.subarray(12 + oldLength)]);
    };
    await expect(unpackDataset(await forged(32), 'c')).rejects.toThrow(/stored copy of c is damaged \(\d+ bytes where \d+ were expected\)/);
    await expect(unpackDataset(await forged(48), 'c')).rejects.toThrow('the stored copy of c is damaged (an image side of 48); import the images again.');
    await expect(unpackDataset(await forged('64'), 'c')).rejects.toThrow('the stored copy of c is damaged (an image side of "64"); import the images again.');
    await expect(unpackDataset(await forged(null), 'c')).rejects.toThrow('the stored copy of c is damaged (an image side of null); import the images again.');
  });
});

/** Rewrites a member's uncompressed size in the zip's central directory (where readers look first). */
function patchDeclaredSize(zip: Uint8Array, name: string, size: number): void {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const encoded = new TextEncoder().encode(name);
  for (let at = 0; at + 46 < zip.length; at++) {
    if (view.getUint32(at, true) !== 0x02014b50 || view.getUint16(at + 28, true) !== encoded.length) continue;
    if (encoded.every((byte, i) => zip[at + 46 + i] === byte)) return view.setUint32(at + 24, size, true);
  }
  throw new Error(`${name} is not in the zip`);
}
