/**
 * One tensor of a checkpoint, not yet decoded: its dtype, shape and where its elements are. Decoding
 * (`toFloat32`) happens only for the tensors an import uses, so optimizer state is never materialised.
 */
import { DTYPE_BYTES, decodeFloat32, type TorchDtype } from './dtypes';
import { TORCH_LIMITS, TorchImportError } from './errors';

export interface TorchTensor {
  readonly dtype: TorchDtype;
  /** PyTorch's shape ([] for a scalar). */
  readonly shape: readonly number[];
  /** The values as float32 in row-major (PyTorch) order; refuses integer dtypes. */
  toFloat32(): Float32Array;
}

/** A storage: `numel` elements of `dtype`; `bytes` is read when a tensor on it is decoded. */
export interface StorageRef {
  readonly key: string;
  readonly dtype: TorchDtype;
  readonly numel: number;
  bytes(): Uint8Array;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Checks a shape before anything is allocated for it. */
export function checkShape(shape: readonly unknown[], name: string): number[] {
  if (shape.length > TORCH_LIMITS.maxRank || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw new TorchImportError(`Tensor "${name}" has an impossible shape [${shape.map(String).join(', ')}].`);
  }
  return shape as number[];
}

/**
 * A view on a storage as `torch._utils._rebuild_tensor_v2` describes it: offset and strides in elements.
 * Every element it addresses must lie inside the storage; that is checked here, before any decoding.
 */
export function storageTensor(storage: StorageRef, offset: number, shape: readonly number[], stride: readonly number[], name: string): TorchTensor {
  if (!Number.isSafeInteger(offset) || offset < 0 || stride.length !== shape.length || !stride.every((s) => Number.isSafeInteger(s) && s >= 0)) {
    throw new TorchImportError(`Tensor "${name}" has an impossible layout (offset ${offset}, strides [${stride.join(', ')}]).`);
  }
  const count = elementCount(shape);
  const last = count === 0 ? offset : shape.reduce((sum, d, i) => sum + (d - 1) * stride[i]!, offset);
  if (count > 0 && last >= storage.numel) {
    throw new TorchImportError(`Tensor "${name}" reaches element ${last} of a storage of ${storage.numel}: the file is damaged.`);
  }
  if (count * DTYPE_BYTES[storage.dtype] > TORCH_LIMITS.maxEntryBytes) throw new TorchImportError(`Tensor "${name}" is larger than ${TORCH_LIMITS.maxEntryBytes / 2 ** 20} MB.`);
  return {
    dtype: storage.dtype,
    shape,
    toFloat32: () => decodeFloat32(storage.bytes(), storage.dtype, count, stridedIndex(shape, stride, offset), name, isContiguous(shape, stride) ? offset : null),
  };
}

function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  return shape.every((d, axis) => d === 1 || stride[axis] === elementCount(shape.slice(axis + 1)));
}

/** Element i of the row-major walk over `shape` -> its index in the storage. */
function stridedIndex(shape: readonly number[], stride: readonly number[], offset: number): (i: number) => number {
  if (isContiguous(shape, stride)) return (i) => offset + i;
  return (i) => {
    let index = offset;
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      const d = shape[axis]!;
      index += (i % d) * stride[axis]!;
      i = Math.floor(i / d);
    }
    return index;
  };
}
