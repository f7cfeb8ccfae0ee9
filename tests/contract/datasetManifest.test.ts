import { describe, expect, it } from 'vitest';
import { DatasetFormatError } from '../../src/contract/cifarFormat';
import { datasetMenuLabels, datasetTitleParts, importedDatasetTitle, parseDatasetIndex, parseManifest, splitBytes } from '../../src/contract/datasetManifest';

const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const shard = (file: string, records: number) => ({ file, records, bytes: records * 3073, sha256: 'ab'.repeat(32) });

/** A manifest as the setup script writes it (two training shards, one test shard). */
function goodManifest() {
  return {
    name: 'cifar10-subset',
    title: 'CIFAR-10 subset (2034 train / 1017 test)',
    format: 'cifar10-binary',
    classNames: [...CLASSES],
    train: { count: 2034, shards: [shard('data_batch_1.bin', 1017), shard('data_batch_2.bin', 1017)] },
    test: { count: 1017, shards: [shard('test_batch.bin', 1017)] },
    mean: [0.4936, 0.4846, 0.4483],
    std: [0.2481, 0.2446, 0.2621],
    source: '../shared/datasets/cifar10-subset',
  };
}

type Manifest = ReturnType<typeof goodManifest> & Record<string, unknown>;

describe('parseManifest', () => {
  it('accepts a well-formed manifest unchanged', () => {
    const manifest = parseManifest(goodManifest());
    expect(manifest).toEqual(goodManifest());
    expect(splitBytes(manifest.train)).toBe(2 * 1017 * 3073);
  });

  it('accepts CIFAR-100 with its superclass names', () => {
    const manifest = parseManifest({
      ...goodManifest(),
      name: 'cifar100',
      format: 'cifar100-binary',
      classNames: Array.from({ length: 100 }, (_, i) => `fine${i}`),
      coarseClassNames: Array.from({ length: 20 }, (_, i) => `coarse${i}`),
      train: { count: 50_000, shards: [{ file: 'train.bin', records: 50_000, bytes: 50_000 * 3074, sha256: 'cd'.repeat(32) }] },
      test: { count: 10_000, shards: [{ file: 'test.bin', records: 10_000, bytes: 10_000 * 3074, sha256: 'ef'.repeat(32) }] },
    });
    expect(manifest.coarseClassNames).toHaveLength(20);
  });

  const broken: Array<[string, (m: Manifest) => unknown, string]> = [
    ['not an object', () => null, 'the manifest should be an object, but is null'],
    ['an unknown format', (m) => ({ ...m, format: 'png' }), 'format should be one of cifar10-binary, cifar100-binary, but is "png"'],
    ['a missing name', ({ name: _, ...m }) => m, 'name should be a non-empty string, but is missing'],
    ['a name unfit for a URL', (m) => ({ ...m, name: 'My Data' }), 'name should be a lowercase id'],
    ['nine class names', (m) => ({ ...m, classNames: CLASSES.slice(1) }), 'classNames should be an array of 10, but is an array of 9'],
    ['superclasses on CIFAR-10', (m) => ({ ...m, coarseClassNames: ['a'] }), 'coarseClassNames should be absent (CIFAR-10 has no superclasses)'],
    ['a shard path escaping the folder', (m) => ((m.test.shards[0]!.file = '../secret.bin'), m), 'test.shards[0].file should be a plain file name, but is "../secret.bin"'],
    ['bytes that do not match the records', (m) => ((m.train.shards[1]!.bytes = 1000), m), 'train.shards[1].bytes should be 1017 records x 3073 bytes = 3125241, but is 1000'],
    ['a count that is not the shard total', (m) => ({ ...m, train: { ...m.train, count: 5085 } }), "train.count should be the shards' total, 2034, but is 5085"],
    ['no shards', (m) => ({ ...m, test: { count: 1, shards: [] } }), 'test.shards should be at least one shard, but is an array of 0'],
    ['more records than an official file', (m) => ({ ...m, test: { count: 20_000, shards: [shard('test_batch.bin', 20_000)] } }), 'test.shards[0].records should be a whole number in 1..10000, but is 20000'],
    ['an upper-case checksum', (m) => ((m.test.shards[0]!.sha256 = 'AB'.repeat(32)), m), 'test.shards[0].sha256 should be 64 lowercase hex digits'],
    ['a mean in pixel units', (m) => ({ ...m, mean: [125.3, 123, 113.9] }), 'mean[0] should be a number in [0, 1], but is 125.3'],
    ['a zero standard deviation', (m) => ({ ...m, std: [0.2, 0, 0.2] }), 'std[1] should be a number in (0, 1], but is 0'],
    ['two channels', (m) => ({ ...m, std: [0.2, 0.2] }), 'std should be an array of 3, but is an array of 2'],
    ['no source', ({ source: _, ...m }) => m, 'source should be a non-empty string, but is missing'],
  ];

  it.each(broken)('refuses %s, naming the file and the field', (_, breakIt, message) => {
    const json = breakIt(goodManifest() as Manifest);
    const parse = () => parseManifest(json, 'cifar10-subset/manifest.json');
    expect(parse).toThrow(DatasetFormatError);
    expect(parse).toThrow(`cifar10-subset/manifest.json: ${message}`);
  });
});

describe('parseDatasetIndex', () => {
  const entry = (name: string) => ({ name, title: name.toUpperCase(), manifest: `${name}/manifest.json` });

  it('accepts the index the setup script writes', () => {
    const index = { datasets: [entry('cifar10'), entry('cifar10-subset')] };
    expect(parseDatasetIndex(index)).toEqual(index);
    expect(parseDatasetIndex({ datasets: [] }).datasets).toEqual([]);
  });

  it.each([
    ['no list', {}, 'index.json: datasets should be an array, but is missing'],
    ['a duplicate name', { datasets: [entry('cifar10'), entry('cifar10')] }, 'index.json: datasets[1].name should be unique, but is "cifar10"'],
    ['a manifest outside the folder', { datasets: [{ ...entry('a'), manifest: '../a/manifest.json' }] }, 'datasets[0].manifest should be a relative path to a .json file'],
    ['a manifest on another host', { datasets: [{ ...entry('a'), manifest: 'https://example.com/m.json' }] }, 'datasets[0].manifest should be a relative path'],
    ['an entry without a title', { datasets: [{ name: 'a', manifest: 'a/manifest.json' }] }, 'datasets[0].title should be a non-empty string, but is missing'],
  ])('refuses %s', (_, json, message) => {
    expect(() => parseDatasetIndex(json)).toThrow(message);
  });
});

describe('dataset menu labels', () => {
  it('splits a title into its name and its closing parenthetical', () => {
    expect(datasetTitleParts('CIFAR-10 subset (5085 train / 1017 test)')).toEqual({ name: 'CIFAR-10 subset', details: '5085 train / 1017 test' });
    expect(datasetTitleParts('shapes.zip (your images, 64x64, 3 classes, 18 train / 6 test)')).toEqual({ name: 'shapes.zip', details: 'your images, 64x64, 3 classes, 18 train / 6 test' });
    // Only the last parenthetical is details; one inside the name stays there.
    expect(datasetTitleParts('My (old) photos (your images, 2 classes, 2 train / 2 test)').name).toBe('My (old) photos');
    expect(datasetTitleParts('plain name')).toEqual({ name: 'plain name', details: '' });
    expect(datasetTitleParts('odd (unclosed')).toEqual({ name: 'odd (unclosed', details: '' });
  });

  it('adds where an imported dataset came from to its details, so its name still stands alone', () => {
    const archive = importedDatasetTitle('CIFAR-10 (imported archive, 5085 train / 1017 test)', 'cifar-10-binary-subset.tar.gz');
    expect(archive).toBe('CIFAR-10 (imported archive, 5085 train / 1017 test, from cifar-10-binary-subset.tar.gz)');
    expect(datasetTitleParts(archive)).toEqual({ name: 'CIFAR-10', details: 'imported archive, 5085 train / 1017 test, from cifar-10-binary-subset.tar.gz' });
    // A folder or zip is already named by its file.
    expect(importedDatasetTitle('pets (your images, 2 classes, 2 train / 2 test)', 'pets')).toBe('pets (your images, 2 classes, 2 train / 2 test)');
    expect(importedDatasetTitle('odd', 'odd.zip')).toBe('odd (from odd.zip)');
  });

  it('shows names alone, and where two share a name, what sets each apart', () => {
    const titles = ['CIFAR-10 subset (5085 train / 1017 test)', 'shapes.zip (your images, 3 classes, 20 train / 6 test)', 'shapes.zip (your images, 64x64, 3 classes, 18 train / 6 test)'];
    expect(datasetMenuLabels(titles)).toEqual(['CIFAR-10 subset', 'shapes.zip (20 train / 6 test)', 'shapes.zip (64x64, 18 train / 6 test)']);
    // Three namesakes: a part shared by two of them still tells the third apart.
    const three = ['a (p, x, 1)', 'a (p, x, 2)', 'a (p, y, 2)'];
    expect(datasetMenuLabels(three)).toEqual(['a (x, 1)', 'a (x, 2)', 'a (y, 2)']);
    // One has nothing of its own: its name alone is what tells it from the others.
    expect(datasetMenuLabels(['s (your images, 3 classes)', 's (your images, 64x64, 3 classes)', 'b'])).toEqual(['s', 's (64x64)', 'b']);
    expect(datasetMenuLabels(['a', 'a (x)'])).toEqual(['a', 'a (x)']);
    expect(datasetMenuLabels([])).toEqual([]);
  });
});
