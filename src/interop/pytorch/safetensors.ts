/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {...}}`, then the data. Offsets are
 * relative to the end of the header; every entry's byte range is checked against its dtype and shape and
 * against the file before a tensor is made.
 */
import { DTYPE_BYTES, SAFETENSORS_DTYPES } from './dtypes';
import { TORCH_LIMITS, TorchImportError } from './errors';
import { checkShape, elementCount, storageTensor, type TorchTensor } from './tensor';

/** Whether `bytes` start as a safetensors file does (a plausible header length, then a JSON object). */
export function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 9) return false;
  const length = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  return length >= 2n && length <= BigInt(bytes.length - 8) && bytes[8] === 0x7b; // '{'
}

export function readSafetensors(bytes: Uint8Array): Map<string, TorchTensor> {
  return readSafetensorsFile(bytes).tensors;
}

/**
 * The tensors and the header's `__metadata__` (string to string, as the format defines it; absent: empty).
 * A `__metadata__` that is not an object of strings is refused: a writer that means something by it wrote it.
 */
export function readSafetensorsFile(bytes: Uint8Array): { tensors: Map<string, TorchTensor>; metadata: Readonly<Record<string, string>> } {
  if (bytes.length < 8) throw new TorchImportError('The safetensors file is cut short: it has no header.');
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLength > TORCH_LIMITS.maxHeaderBytes) throw new TorchImportError(`The safetensors header declares ${headerLength} bytes, more than any checkpoint's description needs.`);
  if (8 + headerLength > bytes.length) throw new TorchImportError(`The safetensors file is cut short: its header needs ${headerLength} bytes, the file has ${bytes.length - 8} after the length.`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    throw new TorchImportError('The safetensors header is not valid JSON.');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new TorchImportError('The safetensors header is not a JSON object.');
  const data = bytes.subarray(8 + headerLength);
  const tensors = new Map<string, TorchTensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    tensors.set(name, safetensorsEntry(name, entry, data));
  }
  return { tensors, metadata: metadataOf((header as Record<string, unknown>).__metadata__) };
}

function metadataOf(value: unknown): Readonly<Record<string, string>> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw new TorchImportError('The safetensors header\u2019s __metadata__ is not an object of strings.');
  }
  return { ...(value as Record<string, string>) };
}

function safetensorsEntry(name: string, entry: unknown, data: Uint8Array): TorchTensor {
  const { dtype: code, shape, data_offsets: offsets } = (entry ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  const dtype = typeof code === 'string' && Object.hasOwn(SAFETENSORS_DTYPES, code) ? SAFETENSORS_DTYPES[code]! : null;
  if (!dtype) throw new TorchImportError(`Tensor "${name}" has the safetensors dtype ${JSON.stringify(code)}, which this reader does not know.`);
  if (!Array.isArray(shape) || !Array.isArray(offsets) || offsets.length !== 2) throw new TorchImportError(`Tensor "${name}" has no shape or data offsets in the safetensors header.`);
  const dims = checkShape(shape, name);
  const [begin, end] = offsets as unknown[];
  if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || (begin as number) < 0 || (end as number) < (begin as number)) {
    throw new TorchImportError(`Tensor "${name}" has impossible data offsets ${JSON.stringify(offsets)}.`);
  }
  const count = elementCount(dims);
  const byteLength = (end as number) - (begin as number);
  if (byteLength !== count * DTYPE_BYTES[dtype]) {
    throw new TorchImportError(`Tensor "${name}" takes ${byteLength} bytes, but ${count} ${dtype} values need ${count * DTYPE_BYTES[dtype]}.`);
  }
  if ((end as number) > data.length) throw new TorchImportError(`The safetensors file is cut short: tensor "${name}" ends at byte ${end as number} of ${data.length}.`);
  const slice = data.subarray(begin as number, end as number);
  const strides = dims.map((_, axis) => elementCount(dims.slice(axis + 1)));
  return storageTensor({ key: name, dtype, numel: count, bytes: () => slice }, 0, dims, strides, name);
}
