/**
 * Builds PyTorch-format and safetensors bytes inside tests, so every broken or unusual input is made by
 * the test itself: a pickle writer (the opcodes torch.save uses), zips through fflate, and a safetensors
 * writer for F32, F16 and BF16.
 */
import { zipSync } from 'fflate';

/** Protocol-2 pickle bytes, op by op. */
export class PickleBytes {
  readonly #bytes: number[] = [0x80, 2];

  #op(...codes: number[]): this {
    this.#bytes.push(...codes);
    return this;
  }
  #text(text: string): number[] {
    return [...new TextEncoder().encode(text)];
  }
  global(module: string, name: string): this {
    return this.#op(0x63, ...this.#text(`${module}\n${name}\n`));
  }
  str(text: string): this {
    const utf8 = this.#text(text);
    const length = new Uint8Array(new Uint32Array([utf8.length]).buffer);
    return this.#op(0x58, ...length, ...utf8);
  }
  int(value: number): this {
    return this.#op(0x4a, ...new Uint8Array(new Int32Array([value]).buffer));
  }
  mark = () => this.#op(0x28);
  tuple = () => this.#op(0x74);
  emptyTuple = () => this.#op(0x29);
  emptyDict = () => this.#op(0x7d);
  setItems = () => this.#op(0x75);
  reduce = () => this.#op(0x52);
  newObj = () => this.#op(0x81);
  build = () => this.#op(0x62);
  persistentId = () => this.#op(0x51);
  newTrue = () => this.#op(0x88);
  newFalse = () => this.#op(0x89);
  stop = () => this.#op(0x2e);

  /** An empty OrderedDict, as a state_dict starts. */
  orderedDict(): this {
    return this.global('collections', 'OrderedDict').emptyTuple().reduce();
  }

  /** A float32 tensor on storage `key` (numel elements) as torch.save writes it. */
  tensor(key: string, numel: number, shape: readonly number[], stride: readonly number[], offset = 0): this {
    this.global('torch._utils', '_rebuild_tensor_v2').mark();
    this.mark().str('storage').global('torch', 'FloatStorage').str(key).str('cpu').int(numel).tuple().persistentId();
    this.int(offset).mark();
    shape.forEach((d) => this.int(d));
    this.tuple().mark();
    stride.forEach((s) => this.int(s));
    return this.tuple().newFalse().orderedDict().tuple().reduce();
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }
}

/** A torch zip archive (stored entries) named `archive`, from its data.pkl and storages by key. */
export function torchZip(pickle: Uint8Array, storages: Readonly<Record<string, Float32Array>> = {}, extra: Readonly<Record<string, Uint8Array>> = {}): Uint8Array {
  const files: Record<string, Uint8Array> = { 'archive/data.pkl': pickle, 'archive/version': new TextEncoder().encode('3\n'), ...extra };
  for (const [key, values] of Object.entries(storages)) files[`archive/data/${key}`] = new Uint8Array(values.buffer.slice(0));
  return zipSync(files, { level: 0 });
}

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16';

export interface NamedValues {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** A safetensors file of `tensors`, every one written as `dtype` (rounded to nearest even). */
export function safetensorsBytes(tensors: ReadonlyMap<string, NamedValues>, dtype: SafetensorsDtype): Uint8Array {
  const size = dtype === 'F32' ? 4 : 2;
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, { shape, values }] of tensors) {
    header[name] = { dtype, shape, data_offsets: [offset, offset + values.length * size] };
    offset += values.length * size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const { values } of tensors.values()) {
    for (const v of values) {
      if (dtype === 'F32') view.setFloat32(at, v, true);
      else view.setUint16(at, dtype === 'F16' ? toHalf(v) : toBfloat16(v), true);
      at += size;
    }
  }
  return out;
}

const word = new DataView(new ArrayBuffer(4));

function toBfloat16(value: number): number {
  word.setFloat32(0, value);
  const bits = word.getUint32(0);
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** float32 -> IEEE half, round to nearest even (normal and subnormal ranges; weights are never huge). */
function toHalf(value: number): number {
  word.setFloat32(0, value);
  const bits = word.getUint32(0);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (exponent >= 0x1f) return sign | 0x7c00;
  if (exponent <= 0) {
    if (exponent < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - exponent;
    const half = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    return sign | (half + (rest > midpoint || (rest === midpoint && half & 1) ? 1 : 0));
  }
  const half = (exponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
}
