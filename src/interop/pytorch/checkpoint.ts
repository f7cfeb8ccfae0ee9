/**
 * Reads a PyTorch checkpoint or a safetensors file into its state_dict: named tensors, not yet decoded.
 * Pure (no tfjs, no DOM), for the page, the worker and the command line alike.
 *
 * API:
 * - `readTorchCheckpoint(bytes)` -> `TorchCheckpoint` ({ format, layout, tensors }), or throws a
 *   `TorchImportError` whose message says what is wrong with the file.
 * - `TorchTensor` (./tensor): { dtype, shape (PyTorch's), toFloat32() } with values in PyTorch order.
 *
 * Formats: PyTorch's zip format (`torch.save` since 1.6), its legacy format, and safetensors (F32, F16,
 * BF16, F64). Layouts: a bare state_dict; RepDistiller's and CA-MKD's training checkpoint
 * {'epoch', 'model', 'accuracy', 'optimizer'}; {'model': ...} (mdistiller); {'state_dict': ...}; keys with
 * DataParallel's `module.` prefix. BatchNorm's `num_batches_tracked` counters are dropped. What a training
 * checkpoint records beside the weights (epoch, test accuracy, the script's argparse options) is `record`.
 *
 * Safety: pickles are read by `pickle.ts`, which executes nothing; a file naming any global outside its
 * allow-list is refused by that global's name, anywhere in the file (optimizer state included), and a whole
 * pickled nn.Module is refused naming its class. Sizes are checked before allocation.
 */
import { TorchImportError } from './errors';
import { isTensor, PyOpaque } from './pickle';
import { looksLikeSafetensors, readSafetensorsFile } from './safetensors';
import type { TorchTensor } from './tensor';
import { readTorchLegacy } from './torchLegacy';
import { readTorchZip, ZIP_MAGIC } from './torchZip';
import { trainingRecord, type TrainingRecord } from './trainingRecord';

export type { TorchTensor } from './tensor';
export type { TorchDtype } from './dtypes';
export type { TrainingRecord } from './trainingRecord';
export { TorchImportError } from './errors';

export type TorchFileFormat = 'torch-zip' | 'torch-legacy' | 'safetensors';

/** Where the state_dict sat in the file. */
export type TorchLayout = 'state_dict' | 'training-checkpoint' | 'model-key' | 'state_dict-key';

export interface TorchCheckpoint {
  readonly format: TorchFileFormat;
  readonly layout: TorchLayout;
  /** Whether every key carried DataParallel's `module.` prefix (removed here). */
  readonly strippedModulePrefix: boolean;
  /** The state_dict by PyTorch name, in file order, without `num_batches_tracked`. */
  readonly tensors: ReadonlyMap<string, TorchTensor>;
  /** A safetensors file's `__metadata__` (strings by key); absent for pickled checkpoints. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** What a training checkpoint records of its run beside the weights (epoch, accuracy, options). */
  readonly record?: TrainingRecord;
}

const MODULE_PREFIX = 'module.';
const BATCH_COUNTER = /(^|\.)num_batches_tracked$/;

export function readTorchCheckpoint(bytes: Uint8Array): TorchCheckpoint {
  if (bytes.length === 0) throw new TorchImportError('The file is empty.');
  if (ZIP_MAGIC.every((b, i) => bytes[i] === b)) return fromPickled('torch-zip', unwrapPickled(readTorchZip(bytes)));
  if (looksLikeSafetensors(bytes)) {
    const { tensors, metadata } = readSafetensorsFile(bytes);
    return { ...finish('safetensors', 'state_dict', tensors), metadata };
  }
  if (bytes[0] === 0x80) return fromPickled('torch-legacy', unwrapPickled(readTorchLegacy(bytes)));
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) throw new TorchImportError('The zip archive is damaged or cut short: it does not start with a file entry.');
  throw new TorchImportError('This is neither a PyTorch checkpoint (.pth, .pt) nor a .safetensors file.');
}

function fromPickled(format: TorchFileFormat, unwrapped: { layout: TorchLayout; dict: Map<unknown, unknown>; record?: TrainingRecord }): TorchCheckpoint {
  const tensors = new Map<string, TorchTensor>();
  for (const [key, value] of unwrapped.dict) {
    if (typeof key !== 'string') throw new TorchImportError(`The state_dict has a key that is not a name (${String(key)}).`);
    if (!isTensor(value)) throw new TorchImportError(`The state_dict entry "${key}" is not a tensor.`);
    tensors.set(key, value);
  }
  const checkpoint = finish(format, unwrapped.layout, tensors);
  return unwrapped.record ? { ...checkpoint, record: unwrapped.record } : checkpoint;
}

/** Refuses foreign globals, then finds the state_dict in the object the pickle holds. */
function unwrapPickled({ value, refusedGlobals }: { value: unknown; refusedGlobals: readonly string[] }): { layout: TorchLayout; dict: Map<unknown, unknown>; record?: TrainingRecord } {
  const module = findModule(value);
  if (module) {
    throw new TorchImportError(`The file holds a whole pickled PyTorch model (nn.Module of class ${module}), not a state_dict; reading it would mean running its code. In PyTorch, save the weights alone: torch.save(model.state_dict(), path).`);
  }
  if (refusedGlobals.length > 0) {
    throw new TorchImportError(`The file's pickle names the global ${refusedGlobals[0]}, which a state_dict never needs: refused (nothing in the file was run).`);
  }
  if (!(value instanceof Map)) throw new TorchImportError('The checkpoint does not hold a dict of tensors.');
  for (const [key, layout] of [['state_dict', 'state_dict-key'], ['model', 'model-key']] as const) {
    const inner = value.get(key);
    if (!(inner instanceof Map)) continue;
    const record = trainingRecord(value);
    return { layout: layout === 'model-key' && value.has('optimizer') ? 'training-checkpoint' : layout, dict: inner, ...(Object.keys(record).length > 0 ? { record } : {}) };
  }
  if ([...value.values()].some(isTensor)) return { layout: 'state_dict', dict: value };
  const keys = [...value.keys()].map(String).slice(0, 8);
  throw new TorchImportError(`The checkpoint holds no state_dict: its keys are ${keys.map((k) => `'${k}'`).join(', ')}, and none of 'state_dict', 'model' holds tensors.`);
}

/** The class of a pickled nn.Module at the root or in the usual checkpoint slots, if any. */
function findModule(value: unknown): string | null {
  const candidates = value instanceof Map ? [value, value.get('model'), value.get('state_dict'), value.get('net')] : [value];
  for (const candidate of candidates) {
    if (!(candidate instanceof PyOpaque)) continue;
    const state = candidate.state;
    if (state instanceof Map && (state.has('_modules') || state.has('_parameters'))) return candidate.global.qualifiedName;
  }
  return null;
}

function finish(format: TorchFileFormat, layout: TorchLayout, raw: ReadonlyMap<string, TorchTensor>): TorchCheckpoint {
  const names = [...raw.keys()];
  const stripped = names.length > 0 && names.every((name) => name.startsWith(MODULE_PREFIX));
  const tensors = new Map<string, TorchTensor>();
  for (const [name, tensor] of raw) {
    if (BATCH_COUNTER.test(name)) continue;
    const key = stripped ? name.slice(MODULE_PREFIX.length) : name;
    if (tensors.has(key)) throw new TorchImportError(`The state_dict holds "${key}" twice.`);
    tensors.set(key, tensor);
  }
  if (tensors.size === 0) throw new TorchImportError('The checkpoint holds no weights.');
  return { format, layout, strippedModulePrefix: stripped, tensors };
}
