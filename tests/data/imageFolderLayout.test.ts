/**
 * The image-folder import's plan, before any image is read: which folders are classes, where the test
 * images come from, and a note or a refusal for every kind of bad input. The files are real PNGs made here.
 */
import { describe, expect, it } from 'vitest';
import { IMAGE_FOLDER_LIMITS, ImageFolderImportError, planImageFolder } from '../../src/data/imageFolderLayout';
import { readImageHeader } from '../../src/data/imageHeaders';
import { folderEntries, hugePngHeader, jpegMarkers, solidPng, webpHeader } from '../helpers/testImages';

const RED = solidPng(4, 4, [255, 0, 0]);
const classesOf = (files: Record<string, Uint8Array | null>) => planImageFolder(folderEntries(files)).classes.map((c) => [c.name, c.train.length, c.test.length]);

describe('image headers, read before decoding', () => {
  it('reads the size of PNG, JPEG and the three WebP kinds', () => {
    expect(readImageHeader(solidPng(7, 5, [1, 2, 3]))).toEqual({ kind: 'png', width: 7, height: 5 });
    expect(readImageHeader(hugePngHeader(20_000, 20_000))).toEqual({ kind: 'png', width: 20_000, height: 20_000 });
    expect(readImageHeader(jpegMarkers(640, 480))).toEqual({ kind: 'jpeg', width: 640, height: 480 });
    expect(readImageHeader(webpHeader('VP8 ', 300, 200))).toEqual({ kind: 'webp', width: 300, height: 200 });
    expect(readImageHeader(webpHeader('VP8L', 300, 200))).toEqual({ kind: 'webp', width: 300, height: 200 });
    expect(readImageHeader(webpHeader('VP8X', 3000, 2000))).toEqual({ kind: 'webp', width: 3000, height: 2000 });
  });

  it('says what is wrong with bytes that are not an image it reads', () => {
    expect(readImageHeader(new Uint8Array())).toEqual({ problem: 'the file is empty' });
    expect(readImageHeader(new TextEncoder().encode('just some text, not a picture'))).toEqual({ problem: 'not a PNG, JPEG or WebP image' });
    expect(readImageHeader(jpegMarkers(640, 480).subarray(0, 12))).toEqual({ problem: 'a damaged JPEG (no frame header)' });
  });
});

describe('planning an image folder', () => {
  it('reads class folders at the top or under one wrapping folder, sorted by name', () => {
    const flat = { 'dog/1.png': RED, 'dog/2.png': RED, 'cat/1.png': RED, 'cat/2.jpg': RED };
    expect(classesOf(flat)).toEqual([['cat', 2, 0], ['dog', 2, 0]]);
    const wrapped = Object.fromEntries(Object.entries(flat).map(([path, bytes]) => [`pets/${path}`, bytes]));
    expect(classesOf(wrapped)).toEqual([['cat', 2, 0], ['dog', 2, 0]]);
    expect(planImageFolder(folderEntries(flat)).testFolder).toBeNull();
    // A file beside the class folders inside the wrapping folder is named, not taken for a class.
    const withReadme = planImageFolder(folderEntries({ ...wrapped, 'pets/readme.txt': new Uint8Array([1]) }));
    expect(withReadme.classes.map((c) => c.name)).toEqual(['cat', 'dog']);
    expect(withReadme.notes).toEqual(['1 file outside any class folder was skipped: pets/readme.txt.']);
  });

  it('uses train/ and test/ (or val/) folders when present, noting the one not used', () => {
    const split = { 'data/train/a/1.png': RED, 'data/train/b/1.png': RED, 'data/test/a/2.png': RED, 'data/val/b/3.png': RED, 'data/test/b/2.png': RED };
    const plan = planImageFolder(folderEntries(split));
    expect(plan.testFolder).toBe('test');
    expect(plan.classes.map((c) => [c.name, c.train.length, c.test.length])).toEqual([['a', 1, 1], ['b', 1, 1]]);
    expect(plan.notes.join(' ')).toContain('val/ is not used');
    // Class folders for training at the top, beside a val/ folder.
    const beside = planImageFolder(folderEntries({ 'a/1.png': RED, 'b/1.png': RED, 'val/a/2.png': RED, 'val/b/2.png': RED }));
    expect(beside.testFolder).toBe('val');
    expect(beside.classes.map((c) => [c.name, c.train.length, c.test.length])).toEqual([['a', 1, 1], ['b', 1, 1]]);
  });

  it('names loose files, nested folders, non-images, empty folders and one-image classes, and imports the rest', () => {
    const plan = planImageFolder(
      folderEntries({
        'cats/1.png': RED,
        'cats/2.png': RED,
        'cats/notes.txt': new Uint8Array([1]),
        'cats/kittens/3.png': RED,
        'dogs/1.png': RED,
        'dogs/2.webp': RED,
        'README.md': new Uint8Array([1]),
        'empty/': null,
        'lonely/1.png': RED,
        '.DS_Store': new Uint8Array([0]),
        '__MACOSX/cats/._1.png': new Uint8Array([0]),
      }),
    );
    expect(plan.classes.map((c) => c.name)).toEqual(['cats', 'dogs']);
    const notes = plan.notes.join('\n');
    expect(notes).toContain('1 file outside any class folder was skipped: README.md');
    expect(notes).toContain('Folders inside class folders are not read; skipped: cats/kittens/ (1 file)');
    expect(notes).toContain('1 file that is not PNG, JPEG or WebP was skipped: cats/notes.txt');
    expect(notes).toContain('1 class folder with no images was skipped: empty/');
    expect(notes).toContain('1 class with only one image was skipped (each class needs one image to train on and one to test on): lonely/');
    expect(notes).not.toContain('DS_Store');
    expect(notes).not.toContain('MACOSX');
  });

  it('refuses class names that differ only in case, naming them', () => {
    expect(() => classesOf({ 'Cat/1.png': RED, 'Cat/2.png': RED, 'cat/1.png': RED, 'cat/2.png': RED, 'dog/1.png': RED })).toThrow(
      /differ only in case.*Cat and cat/,
    );
  });

  it('refuses fewer than two usable classes, and nothing at all', () => {
    expect(() => classesOf({ 'cats/1.png': RED, 'cats/2.png': RED })).toThrow(/only one class \(cats\).*at least two class folders/);
    expect(() => classesOf({ 'a.png': RED, 'b.png': RED })).toThrow(ImageFolderImportError);
    expect(() => classesOf({ 'a.png': RED, 'b.png': RED })).toThrow(/no class folder with images/);
    expect(() => classesOf({})).toThrow(/holds no files/);
    expect(() => classesOf({ 'empty/': null })).toThrow(/holds no files/);
  });

  it('refuses too many images, too many classes and too many bytes before reading any', () => {
    const many = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`c${i % 3}/${i}.png`, RED]));
    expect(() => planImageFolder(folderEntries(many), { ...IMAGE_FOLDER_LIMITS, maxImages: 10 })).toThrow('It has 12 images; the page takes at most 10.');
    expect(() => planImageFolder(folderEntries(many), { ...IMAGE_FOLDER_LIMITS, maxClasses: 2 })).toThrow('It has 3 classes; the page takes at most 2.');
    const entries = folderEntries(many).map((entry, i) => (i === 0 ? { ...entry, size: 600 * 1024 * 1024, read: () => Promise.reject(new Error('read')) } : entry));
    expect(() => planImageFolder(entries)).toThrow(/add up to 601 MiB \(as declared, before unpacking\); the page takes at most 512 MiB/);
  });
});
