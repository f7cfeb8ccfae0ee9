/**
 * Element types of PyTorch tensors and their decoding to float32, from little-endian bytes. float16 and
 * bfloat16 widen exactly; float64 rounds to the nearest float32.
 */
import { TorchImportError } from './errors';

export type TorchDtype = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export const DTYPE_BYTES: Readonly<Record<TorchDtype, number>> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** PyTorch's typed storage classes (`torch.FloatStorage`, ...), as pickles name them. */
export const STORAGE_DTYPES: Readonly<Record<string, TorchDtype>> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

/** safetensors' dtype codes. */
export const SAFETENSORS_DTYPES: Readonly<Record<string, TorchDtype>> = {
  F32: 'float32',
  F64: 'float64',
  F16: 'float16',
  BF16: 'bfloat16',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};

export function isFloatDtype(dtype: TorchDtype): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || dtype === 'bfloat16';
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** IEEE half -> float32 value. */
function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * `count` elements of `dtype` starting at `elementOffset` in `bytes`, each at `index(i)` elements from
 * there (a strided gather), as float32. Bounds are the caller's to check.
 */
export function decodeFloat32(bytes: Uint8Array, dtype: TorchDtype, count: number, index: (i: number) => number, name: string, contiguousFrom: number | null): Float32Array {
  if (!isFloatDtype(dtype)) throw new TorchImportError(`Tensor "${name}" holds ${dtype} values; the network's weights must be floating point.`);
  if (dtype === 'float32' && contiguousFrom !== null && LITTLE_ENDIAN) {
    // One copy of the bytes, then a float view of the copy (aligned, since the copy starts at 0).
    return new Float32Array(bytes.slice(4 * contiguousFrom, 4 * (contiguousFrom + count)).buffer);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  switch (dtype) {
    case 'float32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * index(i), true);
      break;
    case 'float64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * index(i), true);
      break;
    case 'float16':
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * index(i), true));
      break;
    default: {
      // bfloat16 is the top half of a float32.
      const word = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < count; i++) {
        word.setUint32(0, view.getUint16(2 * index(i), true) << 16, true);
        out[i] = word.getFloat32(0, true);
      }
    }
  }
  return out;
}
