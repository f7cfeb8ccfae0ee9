/**
 * Writes the pickle `torch.save` writes for a state_dict (protocol 2): an `OrderedDict` whose values are
 * `torch._utils._rebuild_tensor_v2(storage, offset, shape, stride, requires_grad, backward_hooks)` calls,
 * each storage a persistent id `('storage', torch.<Type>Storage, key, 'cpu', numel)` that names the zip
 * record `data/<key>`. Only the opcodes that layout needs; no memo, which unpicklers do not require.
 */
import { contiguousStrides, elementCount, type StateDict } from './stateDict';

const STORAGE_TYPES = { float32: 'FloatStorage', int64: 'LongStorage' } as const;

/** Pickle opcodes (Python's `pickle` module names). */
const OP = {
  PROTO: 0x80,
  GLOBAL: 0x63,
  EMPTY_TUPLE: 0x29,
  REDUCE: 0x52,
  MARK: 0x28,
  TUPLE: 0x74,
  BINUNICODE: 0x58,
  BININT1: 0x4b,
  BININT2: 0x4d,
  BININT: 0x4a,
  BINPERSID: 0x51,
  NEWFALSE: 0x89,
  SETITEMS: 0x75,
  STOP: 0x2e,
} as const;

class PickleBytes {
  #chunks: Uint8Array[] = [];
  #length = 0;

  op(...codes: number[]): this {
    return this.raw(Uint8Array.from(codes));
  }

  raw(bytes: Uint8Array): this {
    this.#chunks.push(bytes);
    this.#length += bytes.length;
    return this;
  }

  global(module: string, name: string): this {
    return this.op(OP.GLOBAL).raw(new TextEncoder().encode(`${module}\n${name}\n`));
  }

  string(text: string): this {
    const utf8 = new TextEncoder().encode(text);
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, utf8.length, true);
    return this.op(OP.BINUNICODE).raw(length).raw(utf8);
  }

  /** A non-negative int up to 2^31 - 1, in the shortest form protocol 2 has. */
  int(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) throw new Error(`Cannot pickle ${value}: tensors here have fewer than 2^31 elements.`);
    if (value < 0x100) return this.op(OP.BININT1, value);
    if (value < 0x10000) return this.op(OP.BININT2, value & 0xff, value >> 8);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setInt32(0, value, true);
    return this.op(OP.BININT).raw(bytes);
  }

  tuple(values: readonly number[]): this {
    this.op(OP.MARK);
    for (const value of values) this.int(value);
    return this.op(OP.TUPLE);
  }

  /** `collections.OrderedDict()` */
  emptyOrderedDict(): this {
    return this.global('collections', 'OrderedDict').op(OP.EMPTY_TUPLE, OP.REDUCE);
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}

/** The `data.pkl` of a state_dict whose i-th tensor is stored in record `data/<i>`. */
export function writeStateDictPickle(tensors: StateDict): Uint8Array {
  const pickle = new PickleBytes().op(OP.PROTO, 2).emptyOrderedDict().op(OP.MARK);
  tensors.forEach((tensor, index) => {
    pickle.string(tensor.name).global('torch._utils', '_rebuild_tensor_v2').op(OP.MARK);
    pickle.op(OP.MARK).string('storage').global('torch', STORAGE_TYPES[tensor.dtype]).string(String(index)).string('cpu').int(elementCount(tensor.shape)).op(OP.TUPLE, OP.BINPERSID);
    pickle.int(0).tuple(tensor.shape).tuple(contiguousStrides(tensor.shape)).op(OP.NEWFALSE).emptyOrderedDict();
    pickle.op(OP.TUPLE, OP.REDUCE);
  });
  return pickle.op(OP.SETITEMS, OP.STOP).bytes();
}
