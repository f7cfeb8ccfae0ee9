/**
 * PyTorch's legacy (non-zip) format, as RepDistiller's released teachers are saved: five pickles and the
 * raw storages, back to back. (1) the magic number 0x1950a86a20f9469cfc6c, (2) the protocol version 1001,
 * (3) sys_info (byte order, type sizes), (4) the object, whose persistent ids are
 * ('storage', storage_type, key, location, numel, view_metadata), (5) the list of storage keys; then, for
 * each key in that order, an int64 element count and the elements.
 */
import { DTYPE_BYTES, type TorchDtype } from './dtypes';
import { TorchImportError } from './errors';
import { PyGlobal, storageDtypeOf, unpickle, type Unpickled } from './pickle';
import type { StorageRef } from './tensor';

const MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;
const PROTOCOL_VERSION = 1001;

const noStorage = (): never => {
  throw new TorchImportError('The checkpoint header refers to tensor data: it is damaged.');
};

export function readTorchLegacy(bytes: Uint8Array): Unpickled {
  const magic = unpickle(bytes, noStorage, 0);
  if (magic.value !== MAGIC_NUMBER) throw new TorchImportError('This pickle is not a PyTorch checkpoint (its magic number is missing).');
  const protocol = unpickle(bytes, noStorage, magic.end);
  if (protocol.value !== PROTOCOL_VERSION) throw new TorchImportError(`The checkpoint has legacy protocol version ${String(protocol.value)}; only ${PROTOCOL_VERSION} is known.`);
  const sysInfo = unpickle(bytes, noStorage, protocol.end);
  if (sysInfo.value instanceof Map && sysInfo.value.get('little_endian') === false) throw new TorchImportError('The checkpoint was saved on a big-endian machine; only little-endian checkpoints can be read.');

  const declared = new Map<string, { dtype: TorchDtype; numel: number }>();
  const located = new Map<string, Uint8Array>();
  const root = unpickle(bytes, (pid) => legacyStorage(pid, declared, located), sysInfo.end);
  const keys = unpickle(bytes, noStorage, root.end);
  if (!Array.isArray(keys.value) || !keys.value.every((key) => typeof key === 'string')) throw new TorchImportError('The checkpoint\'s list of storages is damaged.');
  locateStorages(bytes, keys.end, keys.value as string[], declared, located);
  return { value: root.value, refusedGlobals: [...magic.refusedGlobals, ...sysInfo.refusedGlobals, ...root.refusedGlobals, ...keys.refusedGlobals] };
}

function legacyStorage(pid: unknown, declared: Map<string, { dtype: TorchDtype; numel: number }>, located: Map<string, Uint8Array>): StorageRef | PyGlobal {
  // A whole pickled nn.Module records each class's source as ('module', class, file, source): the class
  // (already listed as a refused global) stands in, so the caller can name the module it belongs to.
  if (Array.isArray(pid) && pid[0] === 'module' && pid[1] instanceof PyGlobal) return pid[1];
  if (!Array.isArray(pid) || pid.length !== 6 || pid[0] !== 'storage' || typeof pid[2] !== 'string' || !Number.isSafeInteger(pid[4])) {
    throw new TorchImportError('The checkpoint refers to its data in a way PyTorch does not: refused.');
  }
  if (pid[5] !== null) throw new TorchImportError('The checkpoint stores tensors as views of shared storages (PyTorch before 0.4), which this reader does not support.');
  const key = pid[2] as string;
  const dtype = storageDtypeOf(pid[1]);
  const numel = pid[4] as number;
  const earlier = declared.get(key);
  if (earlier && (earlier.dtype !== dtype || earlier.numel !== numel)) throw new TorchImportError(`The checkpoint describes its storage ${key} twice, differently.`);
  declared.set(key, { dtype, numel });
  return {
    key,
    dtype,
    numel,
    bytes: () => {
      const data = located.get(key);
      if (!data) throw new TorchImportError(`The checkpoint lacks the data of its storage ${key}.`);
      return data;
    },
  };
}

/** Walks the storages after the pickles, checking each count and length against the file. */
function locateStorages(bytes: Uint8Array, start: number, keys: readonly string[], declared: Map<string, { dtype: TorchDtype; numel: number }>, located: Map<string, Uint8Array>): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = start;
  for (const key of keys) {
    const storage = declared.get(key);
    if (!storage) throw new TorchImportError(`The checkpoint lists a storage ${key} that no tensor uses: it is damaged.`);
    if (pos + 8 > bytes.length) throw new TorchImportError(`The checkpoint is cut short before the data of storage ${key}.`);
    const count = view.getBigInt64(pos, true);
    if (count !== BigInt(storage.numel)) throw new TorchImportError(`Storage ${key} holds ${count} elements in the file, but its tensors describe ${storage.numel}: the file is damaged.`);
    const length = storage.numel * DTYPE_BYTES[storage.dtype];
    pos += 8;
    if (pos + length > bytes.length) throw new TorchImportError(`The checkpoint is cut short inside the data of storage ${key} (it needs ${length} bytes, ${bytes.length - pos} are left).`);
    located.set(key, bytes.subarray(pos, pos + length));
    pos += length;
  }
}
