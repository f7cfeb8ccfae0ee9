/**
 * Imports an official CIFAR-10 or CIFAR-100 binary archive (`.tar.gz`) that the user picked, in the browser.
 *
 * Runs in the training worker (and in Node for tests) with the platform's DecompressionStream and
 * crypto.subtle: no dependency. The archive is read as a stream; only the members the official archive
 * holds are kept, one at a time, after their declared sizes have been checked, so a wrong or hostile file
 * is refused before it can claim memory. Everything else is skipped without buffering.
 */
import {
  CIFAR_LAYOUTS,
  concatLabeledImages,
  countRecords,
  createLabeledImages,
  decodeCifarInto,
  type CifarFormat,
  type LabeledImages,
} from './cifarBinary';
import type { LoadedDataset } from './datasetLoader';
import type { DatasetManifest, ShardInfo, SplitInfo } from '../contract/datasetManifest';
import { ArchiveImportError, openGzip, TarReader } from './tarStream';
import { channelStatistics } from '../core/channelStatistics';

/** Every problem with the archive itself; member contents that break the CIFAR format throw DatasetFormatError. */
export { ArchiveImportError };

export interface ArchiveImportProgress {
  /** Compressed bytes read from the source so far. */
  readonly readBytes: number;
  /** The archive's size: `options.totalBytes`, else the Blob's size; null for a stream of unknown length. */
  readonly totalBytes: number | null;
  /** The archive member being read, or null between members. */
  readonly member: string | null;
}

export interface ArchiveImportOptions {
  readonly totalBytes?: number;
  /** Called for every decompressed chunk (tens of KiB); a caller posting to the UI throttles it. */
  readonly onProgress?: (progress: ArchiveImportProgress) => void;
  readonly signal?: AbortSignal;
}

/**
 * Cap on the uncompressed tar stream: the official archives are ~184.5 MB (six 30.7 MB files, headers,
 * names, a readme), so 200 MiB leaves room for stray extra files but refuses a decompression bomb.
 */
export const MAX_ARCHIVE_BYTES = 200 * 1024 * 1024;
/** A names file is a few hundred bytes (100 short names for CIFAR-100). */
const MAX_NAMES_BYTES = 64 * 1024;

type MemberRole = 'train' | 'test' | 'names';
/** A member the official archive holds; `maxRecords` is its official record count, the most accepted. */
type ExpectedMember = { readonly path: string; readonly role: MemberRole; readonly maxRecords: number };
/** `members` are in split order (training batches 1..5, whatever their order in the archive). */
type ArchiveLayout = {
  readonly format: CifarFormat;
  readonly datasetName: string;
  readonly members: readonly ExpectedMember[];
};

const memberSpec = (path: string, role: MemberRole, maxRecords = 0): ExpectedMember => ({ path, role, maxRecords });
const ARCHIVE_LAYOUTS: readonly ArchiveLayout[] = [
  {
    format: 'cifar10-binary',
    datasetName: 'imported-cifar10',
    members: [
      ...[1, 2, 3, 4, 5].map((i) => memberSpec(`cifar-10-batches-bin/data_batch_${i}.bin`, 'train', 10_000)),
      memberSpec('cifar-10-batches-bin/test_batch.bin', 'test', 10_000),
      memberSpec('cifar-10-batches-bin/batches.meta.txt', 'names'),
    ],
  },
  {
    format: 'cifar100-binary',
    datasetName: 'imported-cifar100',
    members: [
      memberSpec('cifar-100-binary/train.bin', 'train', 50_000),
      memberSpec('cifar-100-binary/test.bin', 'test', 10_000),
      memberSpec('cifar-100-binary/fine_label_names.txt', 'names'), // coarse names unused: training uses fine labels
    ],
  },
];

/** What one expected member became: decoded images, or class names. */
type ImportedMember =
  | { readonly kind: 'images'; readonly images: LabeledImages; readonly shard: ShardInfo }
  | { readonly kind: 'names'; readonly names: readonly string[] };

/** Other CIFAR downloads a user may pick by mistake, by their folder. */
const OTHER_VERSIONS: Readonly<Record<string, string>> = {
  'cifar-10-batches-py': 'the Python (pickle) version of CIFAR-10',
  'cifar-100-python': 'the Python (pickle) version of CIFAR-100',
  'cifar-10-batches-mat': 'the MATLAB version of CIFAR-10',
  'cifar-100-matlab': 'the MATLAB version of CIFAR-100',
};

/** Imports an official CIFAR-10 or CIFAR-100 binary `.tar.gz` (or a subset in the same layout). */
export async function importCifarArchive(
  source: Blob | ReadableStream<Uint8Array>,
  options: ArchiveImportOptions = {},
): Promise<LoadedDataset> {
  const { onProgress, signal } = options;
  signal?.throwIfAborted();
  const totalBytes = options.totalBytes ?? (source instanceof Blob ? source.size : null);
  let readBytes = 0;
  let currentMember: string | null = null;
  const stream = await openGzip(source instanceof Blob ? source.stream() : source, signal, (n) => (readBytes += n));
  const reader = stream.getReader();
  // Cancelling ends a pending read at once, so an abort does not wait for a slow source.
  const cancel = (): void => void reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    const tar = new TarReader(reader, (received) => {
      signal?.throwIfAborted();
      if (received > MAX_ARCHIVE_BYTES) throw tooLarge();
      onProgress?.({ readBytes, totalBytes, member: currentMember });
    });
    const imported = new Map<string, ImportedMember>();
    const others: string[] = []; // the first few unexpected files, for the message if nothing matches
    let otherCount = 0;
    let layout: ArchiveLayout | undefined;
    for (let entry = await tar.next(); entry; entry = await tar.next()) {
      const path = entry.path.replace(/^(\.\/)+/, '');
      currentMember = path;
      const match = entry.isFile ? findExpected(layout, path) : undefined;
      // Sizes are checked on the header, before reading or skipping: a bogus size must not cost 8 GiB.
      if (match) checkDeclaredSize(match.member, entry.size, match.layout.format);
      if (entry.end > MAX_ARCHIVE_BYTES) throw tooLarge();
      if (!match) {
        if (entry.isFile && otherCount++ < 100) others.push(path);
        continue; // `next()` skips the data unread
      }
      layout = match.layout;
      if (imported.has(path)) throw new ArchiveImportError(`${path} appears twice in the archive.`);
      imported.set(path, await importMember(match.member, await tar.readData(), layout.format));
      currentMember = null;
    }
    currentMember = null;
    await tar.drain(); // the zero padding after the end marker, and the gzip checksum
    if (!layout) throw notCifar(others, otherCount);
    return assemble(layout, imported, source);
  } catch (error) {
    signal?.throwIfAborted(); // after an abort, whatever failed failed because of it
    throw error;
  } finally {
    signal?.removeEventListener('abort', cancel);
    void reader.cancel().catch(() => {});
  }
}

/** The expected member at `path`: in the layout already detected, or else in either. */
function findExpected(
  detected: ArchiveLayout | undefined,
  path: string,
): { layout: ArchiveLayout; member: ExpectedMember } | undefined {
  for (const layout of detected ? [detected] : ARCHIVE_LAYOUTS) {
    const member = layout.members.find((it) => it.path === path);
    if (member) return { layout, member };
  }
  return undefined;
}

/** Refuses a member from its header alone: before a byte of it is allocated. */
function checkDeclaredSize(expected: ExpectedMember, size: number, format: CifarFormat): void {
  const { recordBytes, title } = CIFAR_LAYOUTS[format];
  const limit = expected.role === 'names' ? MAX_NAMES_BYTES : expected.maxRecords * recordBytes;
  if (size > limit) {
    const official =
      expected.role === 'names' ? 'a class-names file' : `the official file (${expected.maxRecords} records)`;
    throw new ArchiveImportError(
      `${expected.path} declares ${size} bytes, more than ${official} can hold (${limit} bytes): ` +
        `this is not an official ${title} archive; refusing it.`,
    );
  }
  // Whole records (and not empty); the message gives the record arithmetic.
  if (expected.role !== 'names') countRecords(size, format, expected.path);
}

/** Decodes one expected member (its declared size already checked), or reads its class names. */
async function importMember(
  expected: ExpectedMember,
  bytes: Uint8Array<ArrayBuffer>,
  format: CifarFormat,
): Promise<ImportedMember> {
  const file = expected.path;
  if (expected.role === 'names') {
    const lines = new TextDecoder().decode(bytes).split(/\r?\n/);
    const names = lines.map((line) => line.trim()).filter((line) => line !== '');
    const wanted = CIFAR_LAYOUTS[format].numClasses;
    if (names.length !== wanted) {
      throw new ArchiveImportError(`${file} should hold ${wanted} class names, one a line, but holds ${names.length}.`);
    }
    return { kind: 'names', names };
  }
  // Hashed alongside the decode (off-thread in browsers) so the manifest records what was imported.
  const digest = crypto.subtle.digest('SHA-256', bytes);
  const images = createLabeledImages(countRecords(bytes.length, format, file), format);
  decodeCifarInto(images, 0, bytes, format, file);
  const sha256 = Array.from(new Uint8Array(await digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
  const shard = { file: file.slice(file.lastIndexOf('/') + 1), records: images.count, bytes: bytes.length, sha256 };
  return { kind: 'images', images, shard };
}

/** Checks that nothing is missing and builds the dataset; `source` only names it in the manifest. */
function assemble(
  layout: ArchiveLayout,
  imported: ReadonlyMap<string, ImportedMember>,
  source: Blob | ReadableStream<Uint8Array>,
): LoadedDataset {
  const { title } = CIFAR_LAYOUTS[layout.format];
  const missing = layout.members.filter((expected) => !imported.has(expected.path)).map((expected) => expected.path);
  if (missing.length > 0) {
    throw new ArchiveImportError(`This ${title} archive is incomplete: it lacks ${missing.join(', ')}.`);
  }
  const parts = (role: MemberRole): Extract<ImportedMember, { kind: 'images' }>[] =>
    layout.members
      .filter((it) => it.role === role)
      .map((it) => imported.get(it.path))
      .filter((it) => it?.kind === 'images');
  const split = (role: MemberRole): { images: LabeledImages; info: SplitInfo } => {
    const members = parts(role);
    const images = members.length === 1 ? members[0]!.images : concatLabeledImages(members.map((it) => it.images));
    return { images, info: { count: images.count, shards: members.map((it) => it.shard) } };
  };
  const train = split('train');
  const test = split('test');
  const names = layout.members.map((it) => imported.get(it.path)).find((it) => it?.kind === 'names');
  const sourceName = source instanceof Blob && 'name' in source && typeof source.name === 'string' ? source.name : '';
  const manifest: DatasetManifest = {
    name: layout.datasetName,
    title: `${title} (imported archive, ${train.images.count} train / ${test.images.count} test)`,
    format: layout.format,
    classNames: names?.kind === 'names' ? names.names : [],
    train: train.info,
    test: test.info,
    // From the imported training images, not the official constants: the archive may be a subset.
    ...channelStatistics(train.images.images),
    source: sourceName ? `imported archive ${sourceName}` : 'imported archive',
  };
  return { manifest, train: train.images, test: test.images };
}

function tooLarge(): ArchiveImportError {
  const mib = MAX_ARCHIVE_BYTES / 1024 / 1024;
  return new ArchiveImportError(
    `This archive unpacks to more than ${mib} MiB, more than any official CIFAR archive (about 185 MB); refusing it.`,
  );
}

function notCifar(files: readonly string[], count: number): ArchiveImportError {
  const folders = new Set(files.map((path) => path.split('/')[0] ?? ''));
  const other = Object.keys(OTHER_VERSIONS).find((folder) => folders.has(folder));
  const hint = other
    ? ` This is ${OTHER_VERSIONS[other]}: download the binary version ` +
      '(cifar-10-binary.tar.gz or cifar-100-binary.tar.gz).'
    : count === 0
      ? ' It holds no files.'
      : ` It holds ${files.slice(0, 3).join(', ')}${count > 3 ? ` and ${count - 3} more files` : ''}.`;
  return new ArchiveImportError(
    'This archive does not contain the CIFAR-10 or CIFAR-100 binary files ' +
      `(expected cifar-10-batches-bin/... or cifar-100-binary/...).${hint}`,
  );
}
