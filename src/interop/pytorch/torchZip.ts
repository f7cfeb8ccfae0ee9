/**
 * PyTorch's zip format (`torch.save` since 1.6): `ARCHIVE/data.pkl` (the pickle), `ARCHIVE/data/KEY` (one
 * entry per storage, raw little-endian elements), `ARCHIVE/version`, optionally `ARCHIVE/byteorder`.
 * The zip is read with fflate; every entry's declared size is checked before it is inflated, and only
 * the storages the caller asks for are extracted.
 */
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { DTYPE_BYTES } from './dtypes';
import { TORCH_LIMITS, TorchImportError } from './errors';
import { storageDtypeOf, unpickle, type Unpickled } from './pickle';
import type { StorageRef } from './tensor';

export const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04] as const;

/** The archive's unpickled root and its storages, whose bytes are extracted on first use. */
export function readTorchZip(bytes: Uint8Array): Unpickled {
  const entries = listEntries(bytes);
  const pickleEntry = [...entries.keys()].find((name) => /^[^/]+\/data\.pkl$/.test(name) || name === 'data.pkl');
  if (isTorchScript([...entries.keys()])) {
    throw new TorchImportError('This is a TorchScript archive (torch.jit.save), which holds code as well as weights: in PyTorch, save the weights alone with torch.save(model.state_dict(), path).');
  }
  if (!pickleEntry) throw new TorchImportError('This zip archive is not a PyTorch checkpoint: it has no data.pkl.');
  const prefix = pickleEntry.slice(0, -'data.pkl'.length);
  const byteorder = entries.has(`${prefix}byteorder`) ? new TextDecoder().decode(extract(bytes, entries, [`${prefix}byteorder`]).get(`${prefix}byteorder`)) : 'little';
  if (byteorder.trim() !== 'little') throw new TorchImportError(`The checkpoint was saved on a ${byteorder.trim()}-endian machine; only little-endian checkpoints can be read.`);
  const pickle = extract(bytes, entries, [pickleEntry]).get(pickleEntry)!;
  if (pickle.length > TORCH_LIMITS.maxHeaderBytes) throw new TorchImportError('The checkpoint\'s data.pkl is larger than a state_dict\'s description can be.');
  // The first tensor decoded inflates every storage the pickle refers to, in one pass over the archive.
  const referenced = new Set<string>();
  let storages: Map<string, Uint8Array> | null = null;
  const loadStorage = (name: string): Uint8Array => {
    storages ??= extract(bytes, entries, [...referenced]);
    return storages.get(name)!;
  };
  const { value, refusedGlobals } = unpickle(pickle, (pid) => {
    const storage = zipStorage(pid, prefix, entries, loadStorage);
    referenced.add(`${prefix}data/${storage.key}`);
    return storage;
  });
  return { value, refusedGlobals };
}

/** Central directory entries by name, each checked for a size that can be allocated. */
function listEntries(bytes: Uint8Array): Map<string, UnzipFileInfo> {
  const entries = new Map<string, UnzipFileInfo>();
  try {
    unzipSync(bytes, {
      filter: (file) => {
        entries.set(file.name, file);
        return false;
      },
    });
  } catch (error) {
    throw new TorchImportError(`The zip archive is damaged or cut short (${error instanceof Error ? error.message : String(error)}).`);
  }
  for (const file of entries.values()) {
    if (file.originalSize > TORCH_LIMITS.maxEntryBytes) {
      throw new TorchImportError(`The zip entry "${file.name}" declares ${file.originalSize} bytes, more than the ${TORCH_LIMITS.maxEntryBytes / 2 ** 20} MB any tensor here may take: refused before reading it.`);
    }
    if (file.compression !== 0 && file.compression !== 8) throw new TorchImportError(`The zip entry "${file.name}" uses compression method ${file.compression}, which is neither stored nor deflate.`);
    if (file.compression === 0 && file.size !== file.originalSize) throw new TorchImportError(`The zip entry "${file.name}" is stored, but its sizes disagree (${file.size} and ${file.originalSize}): the archive is damaged.`);
  }
  return entries;
}

function isTorchScript(names: readonly string[]): boolean {
  return names.some((name) => /(^|\/)constants\.pkl$/.test(name) || /(^|\/)code\/.+\.py$/.test(name));
}

/** Inflates the named entries, checking each came out at its declared size (a cut-short archive does not). */
function extract(bytes: Uint8Array, entries: Map<string, UnzipFileInfo>, names: readonly string[]): Map<string, Uint8Array> {
  const wanted = new Set(names);
  const total = names.reduce((sum, name) => sum + (entries.get(name)?.originalSize ?? 0), 0);
  if (total > TORCH_LIMITS.maxTotalBytes) throw new TorchImportError(`The checkpoint's entries declare ${total} bytes together, more than the ${TORCH_LIMITS.maxTotalBytes / 2 ** 30} GB a checkpoint here may take: refused before reading them.`);
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, { filter: (file) => wanted.has(file.name) });
  } catch (error) {
    throw new TorchImportError(`The zip archive is damaged or cut short (${error instanceof Error ? error.message : String(error)}).`);
  }
  const out = new Map<string, Uint8Array>();
  for (const name of names) {
    const data = files[name];
    const declared = entries.get(name)?.originalSize;
    if (!data || data.length !== declared) throw new TorchImportError(`The zip entry "${name}" is cut short (${data?.length ?? 0} of ${declared ?? '?'} bytes): the archive is incomplete.`);
    out.set(name, data);
  }
  return out;
}

/** A zip-format persistent id: ('storage', storage_type, key, location, numel). */
function zipStorage(pid: unknown, prefix: string, entries: Map<string, UnzipFileInfo>, load: (name: string) => Uint8Array): StorageRef {
  if (!Array.isArray(pid) || pid.length !== 5 || pid[0] !== 'storage' || typeof pid[2] !== 'string' || !Number.isSafeInteger(pid[4])) {
    throw new TorchImportError('The checkpoint refers to its data in a way PyTorch does not: refused.');
  }
  const dtype = storageDtypeOf(pid[1]);
  const key = pid[2] as string;
  const numel = pid[4] as number;
  const name = `${prefix}data/${key}`;
  const entry = entries.get(name);
  if (!entry) throw new TorchImportError(`The checkpoint lacks its storage "${name}": the archive is incomplete.`);
  if (entry.originalSize < numel * DTYPE_BYTES[dtype]) throw new TorchImportError(`The storage "${name}" has ${entry.originalSize} bytes, but ${numel} ${dtype} values need ${numel * DTYPE_BYTES[dtype]}.`);
  return { key, dtype, numel, bytes: () => load(name) };
}
