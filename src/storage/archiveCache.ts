/**
 * Archives the user imported, kept in the browser (IndexedDB through idb) so an imported dataset survives a
 * reload and stays a dataset choice. The archive itself is stored (a Blob, ~17 MB for the subset, ~170 MB for
 * the official CIFAR-10) and parsed again when chosen: parsing takes seconds, and the raw file is the
 * smallest faithful copy. A new import replaces the stored one of its format only once it has parsed.
 * A folder of the user's own images is kept decoded instead (its source cannot be opened again after a
 * reload). Used by the training worker (save, load) and the page (list); no tfjs.
 */
import { openDB, type DBSchema } from 'idb';
import { withBrowserDatabase } from './browserDatabase';

export interface ImportedDatasetEntry {
  /** The `dataset` URL parameter: `imported-cifar10`, `imported-cifar100` or `imported-images-<name>`. */
  readonly name: string;
  readonly title: string;
  readonly fileName: string;
  readonly bytes: number;
  readonly importedAt: number;
  /**
   * What `archive` holds: an official CIFAR `.tar.gz` (parsed again when chosen; absent in entries kept
   * before image folders existed), or an image-folder import's decoded images (data/packedDataset.ts).
   */
  readonly kind?: ImportedKind;
}

export type ImportedKind = 'cifar-archive' | 'image-folder';

interface ArchiveSchema extends DBSchema {
  archives: { key: string; value: ImportedDatasetEntry & { readonly archive: Blob } };
}

const DATABASE = 'distillery-datasets';

/** Names of imported datasets start with this, so the worker knows where to load them from. */
export const IMPORTED_PREFIX = 'imported-';

export const isImportedDataset = (name: string) => name.startsWith(IMPORTED_PREFIX);

function open() {
  return openDB<ArchiveSchema>(DATABASE, 1, {
    upgrade(db) {
      db.createObjectStore('archives', { keyPath: 'name' });
    },
  });
}

function withDatabase<T>(use: (db: Awaited<ReturnType<typeof open>>) => Promise<T>): Promise<T> {
  return withBrowserDatabase(open, 'imported data cannot be kept', use);
}

export function saveImportedArchive(entry: ImportedDatasetEntry, archive: Blob): Promise<void> {
  return withDatabase(async (db) => void (await db.put('archives', { ...entry, archive })));
}

export function loadImportedArchive(name: string): Promise<Blob | null> {
  return withDatabase(async (db) => (await db.get('archives', name))?.archive ?? null);
}

/** The stored blob and what it holds. */
export function loadImportedRecord(name: string): Promise<{ kind: ImportedKind; archive: Blob } | null> {
  return withDatabase(async (db) => {
    const record = await db.get('archives', name);
    return record ? { kind: record.kind ?? 'cifar-archive', archive: record.archive } : null;
  });
}

/** The imported datasets, without their archives. */
export function listImportedDatasets(): Promise<ImportedDatasetEntry[]> {
  return withDatabase(async (db) => (await db.getAll('archives')).map(({ archive: _archive, ...entry }) => entry));
}

export function removeImportedDataset(name: string): Promise<void> {
  return withDatabase((db) => db.delete('archives', name));
}
