/**
 * A pickle reader that executes nothing. It knows the opcodes a PyTorch state_dict is written with
 * (protocols 2-5) and an allow-list of globals, each mapped to a pure function here:
 * `collections.OrderedDict` (a Map), `torch._utils._rebuild_tensor_v2` and its pre-0.4 form
 * `_rebuild_tensor` (a tensor view on a storage), `torch._utils._rebuild_parameter` (its tensor), and the typed storage classes (`torch.FloatStorage`, ...)
 * that persistent ids name. Any other global is never resolved: it becomes an inert `PyOpaque` record (its
 * name, its arguments, its state) and, unless it is a known record class (`INERT_RECORDS`: argparse's
 * Namespace), is listed in `refusedGlobals`, for the caller to refuse by name.
 * Lengths are checked against the bytes left before anything is allocated.
 */
import { TorchImportError, TORCH_LIMITS } from './errors';
import { STORAGE_DTYPES } from './dtypes';
import { checkShape, storageTensor, type StorageRef, type TorchTensor } from './tensor';

/** A global the pickle named: `module.name`. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** What a pickle built by calling a global that is not allowed: recorded, never constructed. */
export class PyOpaque {
  state: unknown = undefined;
  constructor(
    readonly global: PyGlobal,
    readonly args: unknown,
  ) {}
}

export interface Unpickled {
  readonly value: unknown;
  /** Every global outside the allow-list, in the order the pickle named them. */
  readonly refusedGlobals: readonly string[];
}

/** Resolves a persistent id (PyTorch: a tuple describing a storage) to a storage, or an inert record. */
export type PersistentLoad = (pid: unknown) => StorageRef | PyGlobal;

const MARK = Symbol('mark');
const decoder = new TextDecoder('utf-8', { fatal: true });

export function isTensor(value: unknown): value is TorchTensor {
  return typeof value === 'object' && value !== null && 'toFloat32' in value && 'dtype' in value && 'shape' in value;
}

/** Reads one pickle from `bytes` at `start`; `end` is where its STOP opcode left off. */
export function unpickle(bytes: Uint8Array, persistentLoad: PersistentLoad, start = 0): Unpickled & { end: number } {
  const machine = new PickleMachine(bytes, start, persistentLoad);
  const value = machine.run();
  return { value, refusedGlobals: machine.refused, end: machine.pos };
}

type Handler = (m: PickleMachine) => void;

class PickleMachine {
  stack: unknown[] = [];
  readonly marks: unknown[][] = [];
  readonly memo = new Map<number, unknown>();
  readonly refused: string[] = [];
  done = false;
  tensorCount = 0;
  #view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
    readonly persistentLoad: PersistentLoad,
  ) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  run(): unknown {
    while (!this.done) {
      const opcode = this.u8();
      const handler = HANDLERS[opcode];
      if (!handler) throw new TorchImportError(`The pickle uses opcode 0x${opcode.toString(16).padStart(2, '0')} at byte ${this.pos - 1}, which a state_dict does not need: refused.`);
      handler(this);
    }
    if (this.stack.length !== 1) throw new TorchImportError('The pickle ends with a damaged stack.');
    return this.stack[0];
  }

  need(count: number): number {
    if (!Number.isSafeInteger(count) || count < 0 || this.pos + count > this.bytes.length) {
      throw new TorchImportError(`The pickle is cut short (it needs ${count} more bytes at byte ${this.pos} of ${this.bytes.length}).`);
    }
    const at = this.pos;
    this.pos += count;
    return at;
  }
  u8(): number {
    return this.bytes[this.need(1)]!;
  }
  u16(): number {
    return this.#view.getUint16(this.need(2), true);
  }
  i32(): number {
    return this.#view.getInt32(this.need(4), true);
  }
  u32(): number {
    return this.#view.getUint32(this.need(4), true);
  }
  u64(): number {
    const at = this.need(8);
    const value = this.#view.getBigUint64(at, true);
    if (value > BigInt(TORCH_LIMITS.maxHeaderBytes)) throw new TorchImportError(`The pickle declares a ${value}-byte item, more than a state_dict holds.`);
    return Number(value);
  }
  f64(): number {
    return this.#view.getFloat64(this.need(8), false);
  }
  raw(count: number): Uint8Array {
    const at = this.need(count);
    return this.bytes.subarray(at, at + count);
  }
  text(count: number): string {
    try {
      return decoder.decode(this.raw(count));
    } catch (error) {
      if (error instanceof TorchImportError) throw error;
      throw new TorchImportError('The pickle holds a string that is not UTF-8.');
    }
  }
  line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) throw new TorchImportError('The pickle is cut short inside a text line.');
    return this.text(end - this.pos + 1).slice(0, -1);
  }

  push(value: unknown): void {
    this.stack.push(value);
  }
  pop(): unknown {
    if (this.stack.length === 0) throw new TorchImportError('The pickle pops an empty stack: it is damaged.');
    return this.stack.pop();
  }
  top(): unknown {
    if (this.stack.length === 0) throw new TorchImportError('The pickle reads an empty stack: it is damaged.');
    return this.stack[this.stack.length - 1];
  }
  popMark(): unknown[] {
    const items = this.stack;
    const previous = this.marks.pop();
    if (!previous) throw new TorchImportError('The pickle closes a group it never opened: it is damaged.');
    this.stack = previous;
    return items;
  }
  get(index: number): void {
    if (!this.memo.has(index)) throw new TorchImportError(`The pickle refers to memo entry ${index}, which it never stored: it is damaged.`);
    this.push(this.memo.get(index));
  }

  global(module: string, name: string): void {
    const global = new PyGlobal(module, name);
    if (!ALLOWED_GLOBALS.has(global.qualifiedName) && !INERT_RECORDS.has(global.qualifiedName) && !isStorageType(global)) this.refused.push(global.qualifiedName);
    this.push(global);
  }

  call(callable: unknown, args: unknown): unknown {
    if (!(callable instanceof PyGlobal)) throw new TorchImportError('The pickle calls something that is not a global: refused.');
    if (!Array.isArray(args)) throw new TorchImportError(`The pickle calls ${callable.qualifiedName} without an argument tuple: it is damaged.`);
    const call = ALLOWED_GLOBALS.get(callable.qualifiedName);
    if (!call) return new PyOpaque(callable, args);
    return call(args, this);
  }
}

function isStorageType(global: PyGlobal): boolean {
  return global.module === 'torch' && Object.hasOwn(STORAGE_DTYPES, global.name);
}

/** The element type a persistent id's storage class (`torch.FloatStorage`, ...) stands for. */
export function storageDtypeOf(type: unknown): (typeof STORAGE_DTYPES)[string] {
  if (type instanceof PyGlobal && isStorageType(type)) return STORAGE_DTYPES[type.name]!;
  throw new TorchImportError(`A storage of the file has the type ${type instanceof PyGlobal ? type.qualifiedName : String(type)}, which is not a PyTorch storage type.`);
}

/**
 * Classes a training checkpoint holds as a plain record, built with NEWOBJ and BUILD: RepDistiller's
 * `<model>_last.pth` keeps the script's options as an argparse Namespace under 'opt'. They stay inert
 * `PyOpaque` records (never constructed) and are not refused; a global inside their state still is.
 */
const INERT_RECORDS: ReadonlySet<string> = new Set(['argparse.Namespace']);

type AllowedCall = (args: unknown[], machine: PickleMachine) => unknown;

const ALLOWED_GLOBALS = new Map<string, AllowedCall>([
  ['collections.OrderedDict', (args) => {
    if (args.length !== 0) throw new TorchImportError('The pickle builds an OrderedDict from arguments, which a state_dict never does: refused.');
    return new Map();
  }],
  ['torch._utils._rebuild_tensor_v2', (args, machine) => rebuildTensor(args, `#${machine.tensorCount++}`)],
  // PyTorch before 0.4 wrote the same description without requires_grad and hooks.
  ['torch._utils._rebuild_tensor', (args, machine) => rebuildTensor(args, `#${machine.tensorCount++}`)],
  ['torch._utils._rebuild_parameter', (args) => parameterData(args)],
  ['torch._utils._rebuild_parameter_with_state', (args) => parameterData(args)],
]);

function rebuildTensor(args: unknown[], name: string): TorchTensor {
  const [storage, offset, size, stride] = args;
  if (args.length < 4 || typeof storage !== 'object' || storage === null || !('numel' in storage) || !Array.isArray(size) || !Array.isArray(stride)) {
    throw new TorchImportError(`Tensor ${name} of the pickle is not described as PyTorch describes a tensor: the file is damaged.`);
  }
  return storageTensor(storage as StorageRef, Number(offset), checkShape(size, name), checkShape(stride, name), name);
}

function parameterData(args: unknown[]): TorchTensor {
  if (!isTensor(args[0])) throw new TorchImportError('The pickle rebuilds a parameter from something that is not a tensor: refused.');
  return args[0];
}

function setItems(target: unknown, items: unknown[]): void {
  if (!(target instanceof Map)) throw new TorchImportError('The pickle sets items on something that is not a dict: refused.');
  if (items.length % 2 !== 0) throw new TorchImportError('The pickle sets a dict item without a value: it is damaged.');
  for (let i = 0; i < items.length; i += 2) {
    const key = items[i];
    if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'bigint' && typeof key !== 'boolean' && key !== null) {
      throw new TorchImportError('The pickle uses a dict key that is not a plain value: refused.');
    }
    target.set(key, items[i + 1]);
  }
}

function appendItems(target: unknown, items: unknown[]): void {
  if (!Array.isArray(target) || Object.isFrozen(target)) throw new TorchImportError('The pickle appends to something that is not a list: refused.');
  target.push(...items);
}

const tuple = (items: unknown[]): unknown[] => Object.freeze(items) as unknown[];

function long(bytes: Uint8Array): number | bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  if (bytes.length > 0 && bytes[bytes.length - 1]! & 0x80) value -= 1n << BigInt(8 * bytes.length);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function build(m: PickleMachine): void {
  const state = m.pop();
  const target = m.top();
  if (target instanceof PyOpaque) target.state = state;
  // OrderedDict's state is its attribute dict ({'_metadata': ...} on a state_dict): the items are already set.
  else if (!(target instanceof Map)) throw new TorchImportError('The pickle sets the state of an object it may not build: refused.');
}

const op = (c: string): number => c.charCodeAt(0);

const HANDLERS: Readonly<Record<number, Handler>> = {
  0x80: (m) => { if (m.u8() > 5) throw new TorchImportError('The pickle uses a protocol newer than 5.'); },
  0x95: (m) => void m.raw(8), // FRAME: a length hint
  [op('.')]: (m) => { m.done = true; },
  [op('(')]: (m) => { m.marks.push(m.stack); m.stack = []; },
  [op('0')]: (m) => void m.pop(),
  [op('1')]: (m) => void m.popMark(),
  [op('2')]: (m) => m.push(m.top()),
  [op('N')]: (m) => m.push(null),
  0x88: (m) => m.push(true),
  0x89: (m) => m.push(false),
  [op('K')]: (m) => m.push(m.u8()),
  [op('M')]: (m) => m.push(m.u16()),
  [op('J')]: (m) => m.push(m.i32()),
  0x8a: (m) => m.push(long(m.raw(m.u8()))),
  0x8b: (m) => m.push(long(m.raw(m.i32()))),
  [op('I')]: (m) => { const text = m.line(); m.push(text === '01' ? true : text === '00' ? false : Number.parseInt(text, 10)); },
  [op('G')]: (m) => m.push(m.f64()),
  [op('X')]: (m) => m.push(m.text(m.u32())),
  0x8c: (m) => m.push(m.text(m.u8())),
  0x8d: (m) => m.push(m.text(m.u64())),
  [op('B')]: (m) => m.push(m.raw(m.u32()).slice()),
  [op('C')]: (m) => m.push(m.raw(m.u8()).slice()),
  0x8e: (m) => m.push(m.raw(m.u64()).slice()),
  [op(')')]: (m) => m.push(tuple([])),
  [op('t')]: (m) => m.push(tuple(m.popMark())),
  0x85: (m) => m.push(tuple([m.pop()])),
  0x86: (m) => { const b = m.pop(); m.push(tuple([m.pop(), b])); },
  0x87: (m) => { const c = m.pop(); const b = m.pop(); m.push(tuple([m.pop(), b, c])); },
  [op(']')]: (m) => m.push([]),
  [op('l')]: (m) => m.push(m.popMark()),
  [op('a')]: (m) => { const item = m.pop(); appendItems(m.top(), [item]); },
  [op('e')]: (m) => { const items = m.popMark(); appendItems(m.top(), items); },
  [op('}')]: (m) => m.push(new Map()),
  [op('d')]: (m) => { const items = m.popMark(); const dict = new Map(); setItems(dict, items); m.push(dict); },
  [op('s')]: (m) => { const value = m.pop(); const key = m.pop(); setItems(m.top(), [key, value]); },
  [op('u')]: (m) => { const items = m.popMark(); setItems(m.top(), items); },
  [op('q')]: (m) => m.memo.set(m.u8(), m.top()),
  [op('r')]: (m) => m.memo.set(m.u32(), m.top()),
  0x94: (m) => m.memo.set(m.memo.size, m.top()),
  [op('h')]: (m) => m.get(m.u8()),
  [op('j')]: (m) => m.get(m.u32()),
  [op('c')]: (m) => { const module = m.line(); m.global(module, m.line()); },
  0x93: (m) => { const name = m.pop(); const module = m.pop(); if (typeof module !== 'string' || typeof name !== 'string') throw new TorchImportError('The pickle names a global that is not a string: refused.'); m.global(module, name); },
  [op('R')]: (m) => { const args = m.pop(); m.push(m.call(m.pop(), args)); },
  0x81: (m) => { const args = m.pop(); const cls = m.pop(); m.push(cls instanceof PyGlobal && !ALLOWED_GLOBALS.has(cls.qualifiedName) ? new PyOpaque(cls, args) : refuseNew(cls)); },
  0x92: (m) => { m.pop(); const args = m.pop(); const cls = m.pop(); m.push(cls instanceof PyGlobal && !ALLOWED_GLOBALS.has(cls.qualifiedName) ? new PyOpaque(cls, args) : refuseNew(cls)); },
  [op('b')]: build,
  [op('Q')]: (m) => m.push(m.persistentLoad(m.pop())),
};

function refuseNew(cls: unknown): never {
  throw new TorchImportError(`The pickle constructs ${cls instanceof PyGlobal ? cls.qualifiedName : 'something'} with NEWOBJ, which a state_dict never does: refused.`);
}
