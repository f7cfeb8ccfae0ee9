/**
 * The dataset manifest and index that `scripts/setup-datasets.mjs` writes into `public/datasets/`:
 *
 *   index.json              { datasets: [{ name, title, manifest: '<name>/manifest.json' }] }
 *   <name>/manifest.json    what the shards are, how to check them, and how to normalise the images
 *   <name>/<shard>.bin      official CIFAR binary files, copied unchanged
 *
 * Both files come over the network, so they are validated field by field before anything is fetched or
 * allocated from them; an error names the file and the exact field. Pure: no DOM, no tfjs.
 */
import { CIFAR_LAYOUTS, DatasetFormatError, IMAGE_SIDE, isCifarFormat, type CifarFormat, type DatasetFormat } from './cifarFormat';

export interface ShardInfo {
  /** A plain file name next to the manifest (never a path, so a manifest cannot point elsewhere). */
  readonly file: string;
  readonly records: number;
  readonly bytes: number;
  /** Lowercase hex SHA-256 of the file. */
  readonly sha256: string;
}

export interface SplitInfo {
  /** Total records: the sum over the shards. */
  readonly count: number;
  readonly shards: readonly ShardInfo[];
}

export type Rgb = readonly [number, number, number];

export interface DatasetManifest {
  /** URL-safe id, the `dataset` URL parameter: `cifar10-subset`, `cifar10`, `cifar100`... */
  readonly name: string;
  readonly title: string;
  readonly format: DatasetFormat;
  /** One name per class, in label order. */
  readonly classNames: readonly string[];
  /** CIFAR-100 only: the 20 superclass names, in coarse-label order. */
  readonly coarseClassNames?: readonly string[];
  readonly train: SplitInfo;
  readonly test: SplitInfo;
  /** Per-channel mean of the training pixels, in [0, 1] units. */
  readonly mean: Rgb;
  /** Per-channel standard deviation of the training pixels, in [0, 1] units. */
  readonly std: Rgb;
  /** Where the images came from (a URL or a local folder), for the record. */
  readonly source: string;
  /** Width and height of every image, in pixels (image folders: one of IMAGE_FOLDER_SIDES); absent: CIFAR's 32. */
  readonly imageSide?: number;
}

/** The side of a dataset's square images. */
export function manifestImageSide(manifest: Pick<DatasetManifest, 'imageSide'>): number {
  return manifest.imageSide ?? IMAGE_SIDE;
}

/** A manifest of an installed dataset: always one of the official CIFAR layouts. */
export type CifarManifest = DatasetManifest & { readonly format: CifarFormat };

export interface DatasetIndexEntry {
  readonly name: string;
  readonly title: string;
  /** The manifest's path relative to `index.json`. */
  readonly manifest: string;
}

/**
 * A dataset title's two parts: "CIFAR-10 subset (5085 train / 1017 test)" is the name "CIFAR-10 subset" and
 * the details "5085 train / 1017 test". A title without a closing parenthetical is all name.
 */
export function datasetTitleParts(title: string): { readonly name: string; readonly details: string } {
  const match = /^(.*\S)\s*\(([^()]*)\)$/.exec(title);
  return match ? { name: match[1]!, details: match[2]! } : { name: title, details: '' };
}

/**
 * The menu title of a dataset imported in this browser: its own title with where it came from added to the
 * same parenthetical, so that the name and the details still split (a folder named like its dataset is
 * not named twice).
 */
export function importedDatasetTitle(title: string, fileName: string): string {
  const { name, details } = datasetTitleParts(title);
  const from = name === fileName ? [] : [`from ${fileName}`];
  return `${name} (${[details, ...from].filter(Boolean).join(', ')})`;
}

/**
 * What the dataset menu shows for each title: the name alone, so that it fits a narrow menu (the details go
 * below it). Where titles share a name (one folder imported at two sizes), each adds the details that set it
 * apart from the others: "shapes.zip" and "shapes.zip (64x64)".
 */
export function datasetMenuLabels(titles: readonly string[]): string[] {
  const titled = titles.map((title) => {
    const { name, details } = datasetTitleParts(title);
    return { name, details: details.split(', ').filter(Boolean) };
  });
  return titled.map(({ name, details }, i) => {
    const namesakes = titled.filter((other, j) => j !== i && other.name === name);
    if (namesakes.length === 0) return name;
    const own = details.filter((part) => namesakes.some((other) => !other.details.includes(part)));
    return own.length > 0 ? `${name} (${own.join(', ')})` : name;
  });
}

export interface DatasetIndex {
  readonly datasets: readonly DatasetIndexEntry[];
}

/** Total shard bytes of a split: what a loader downloads for it. */
export function splitBytes(split: SplitInfo): number {
  return split.shards.reduce((sum, shard) => sum + shard.bytes, 0);
}

/** A constraint on a string field, with the words an error message uses for it. */
interface StringRule {
  readonly pattern: RegExp;
  readonly meaning: string;
}

// Names and paths end up in URLs: no segment may start with a dot, so none can climb out of the folder.
const ID: StringRule = { pattern: /^[a-z0-9][a-z0-9._-]*$/, meaning: 'a lowercase id (a-z, 0-9, ".", "_", "-")' };
const FILE_NAME: StringRule = { pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/, meaning: 'a plain file name' };
const RELATIVE_JSON: StringRule = {
  pattern: /^([A-Za-z0-9][A-Za-z0-9._-]*\/)*[A-Za-z0-9][A-Za-z0-9._-]*\.json$/,
  meaning: 'a relative path to a .json file',
};
const SHA256: StringRule = { pattern: /^[0-9a-f]{64}$/, meaning: '64 lowercase hex digits' };

/** Validates a parsed `manifest.json`. `file` names it in errors (e.g. `cifar10/manifest.json`). */
export function parseManifest(json: unknown, file = 'manifest.json'): CifarManifest {
  // Typed explicitly: TypeScript narrows after a `never`-returning call only through annotated names.
  const read: JsonReader = new JsonReader(file);
  const root = read.object(json, 'the manifest');
  const format = root.format;
  if (!isCifarFormat(format)) read.fail('format', `one of ${Object.keys(CIFAR_LAYOUTS).join(', ')}`, format);
  const layout = CIFAR_LAYOUTS[format];

  const coarse = root.coarseClassNames;
  if (coarse !== undefined && layout.numCoarseClasses === 0) {
    read.fail('coarseClassNames', `absent (${layout.title} has no superclasses)`, coarse);
  }
  const split = (key: 'train' | 'test'): SplitInfo => {
    const value = read.object(root[key], key);
    const shards = read.array(value.shards, `${key}.shards`, (item, at) => {
      const shard = read.object(item, at);
      const records = read.integer(shard.records, `${at}.records`, 1, layout.maxRecordsPerFile);
      const bytes = read.integer(shard.bytes, `${at}.bytes`, 1, Number.MAX_SAFE_INTEGER);
      const expectedBytes = records * layout.recordBytes;
      if (bytes !== expectedBytes) {
        read.fail(`${at}.bytes`, `${records} records x ${layout.recordBytes} bytes = ${expectedBytes}`, bytes);
      }
      return {
        file: read.string(shard.file, `${at}.file`, FILE_NAME),
        records,
        bytes,
        sha256: read.string(shard.sha256, `${at}.sha256`, SHA256),
      };
    });
    if (shards.length === 0) read.fail(`${key}.shards`, 'at least one shard', value.shards);
    const total = shards.reduce((sum, shard) => sum + shard.records, 0);
    const count = read.integer(value.count, `${key}.count`, 1, Number.MAX_SAFE_INTEGER);
    if (count !== total) read.fail(`${key}.count`, `the shards' total, ${total}`, count);
    return { count, shards };
  };
  const names = (value: unknown, at: string, length: number): string[] =>
    read.array(value, at, (item, itemAt) => read.string(item, itemAt), length);

  return {
    name: read.string(root.name, 'name', ID),
    title: read.string(root.title, 'title'),
    format,
    classNames: names(root.classNames, 'classNames', layout.numClasses),
    ...(coarse === undefined ? {} : { coarseClassNames: names(coarse, 'coarseClassNames', layout.numCoarseClasses) }),
    train: split('train'),
    test: split('test'),
    mean: read.unitRgb(root.mean, 'mean', false),
    std: read.unitRgb(root.std, 'std', true),
    source: read.string(root.source, 'source'),
  };
}

/** Validates a parsed `index.json`. */
export function parseDatasetIndex(json: unknown, file = 'index.json'): DatasetIndex {
  const read: JsonReader = new JsonReader(file);
  const root = read.object(json, 'the index');
  const datasets = read.array(root.datasets, 'datasets', (item, at) => {
    const entry = read.object(item, at);
    return {
      name: read.string(entry.name, `${at}.name`, ID),
      title: read.string(entry.title, `${at}.title`),
      manifest: read.string(entry.manifest, `${at}.manifest`, RELATIVE_JSON),
    };
  });
  const seen = new Set<string>();
  datasets.forEach((entry, i) => {
    if (seen.has(entry.name)) read.fail(`datasets[${i}].name`, 'unique', entry.name);
    seen.add(entry.name);
  });
  return { datasets };
}

/** Reads untrusted JSON, naming the file and the field path in every complaint. */
class JsonReader {
  constructor(private readonly file: string) {}

  fail(at: string, expected: string, found: unknown): never {
    throw new DatasetFormatError(this.file, `${at} should be ${expected}, but is ${describe(found)}`);
  }

  object(value: unknown, at: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(at, 'an object', value);
    return value as Record<string, unknown>;
  }

  string(value: unknown, at: string, rule?: StringRule): string {
    if (typeof value !== 'string' || value.trim() === '') this.fail(at, 'a non-empty string', value);
    if (rule && !rule.pattern.test(value)) this.fail(at, rule.meaning, value);
    return value;
  }

  integer(value: unknown, at: string, min: number, max: number): number {
    if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
      this.fail(at, `a whole number in ${min}..${max}`, value);
    }
    return value as number;
  }

  array<T>(value: unknown, at: string, item: (value: unknown, at: string) => T, length?: number): T[] {
    if (!Array.isArray(value)) this.fail(at, 'an array', value);
    if (length !== undefined && value.length !== length) this.fail(at, `an array of ${length}`, value);
    return value.map((element: unknown, i) => item(element, `${at}[${i}]`));
  }

  /** Three numbers in [0, 1], or (0, 1] when `positive`: a per-channel statistic in pixel/255 units. */
  unitRgb(value: unknown, at: string, positive: boolean): Rgb {
    const [r, g, b] = this.array(
      value,
      at,
      (element, elementAt) => {
        const inRange = typeof element === 'number' && element <= 1 && (positive ? element > 0 : element >= 0);
        if (!inRange) this.fail(elementAt, `a number in ${positive ? '(0, 1]' : '[0, 1]'}`, element);
        return element as number;
      },
      3,
    );
    return [r!, g!, b!];
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object' && value !== null) return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
