import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { writePth } from '../../src/interop/pytorch/pthWriter';
import { writeStateDictPickle } from '../../src/interop/pytorch/pickleWriter';
import { writeSafetensors } from '../../src/interop/pytorch/safetensorsWriter';
import type { StateDict } from '../../src/interop/pytorch/stateDict';

const STATE_DICT: StateDict = [
  { name: 'conv1.weight', dtype: 'float32', shape: [2, 3, 1, 1], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
  { name: 'bn1.num_batches_tracked', dtype: 'int64', shape: [], data: BigInt64Array.from([7n]) },
  { name: 'fc.bias', dtype: 'float32', shape: [70000], data: Float32Array.from({ length: 70000 }, (_, i) => i / 3) },
];

const ascii = (bytes: Uint8Array) => new TextDecoder('latin1').decode(bytes);

describe('safetensors writer', () => {
  it('writes an 8-aligned JSON header with each tensor’s dtype, shape and byte range, then the bytes', () => {
    const file = writeSafetensors(STATE_DICT, { format: 'pt' });
    const length = Number(new DataView(file.buffer).getBigUint64(0, true));
    expect(length % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + length)));
    expect(header.__metadata__).toEqual({ format: 'pt' });
    expect(header['conv1.weight']).toEqual({ dtype: 'F32', shape: [2, 3, 1, 1], data_offsets: [0, 24] });
    expect(header['bn1.num_batches_tracked']).toEqual({ dtype: 'I64', shape: [], data_offsets: [24, 32] });
    const body = file.slice(8 + length);
    expect(body.byteLength).toBe(32 + 4 * 70000);
    expect(new Float32Array(body.buffer, 0, 6)).toEqual(STATE_DICT[0]!.data);
    expect(new BigInt64Array(body.buffer, 24, 1)[0]).toBe(7n);
    expect(new Float32Array(body.buffer, 32, 70000)).toEqual(STATE_DICT[2]!.data);
  });

  it('refuses a repeated name and data of the wrong size', () => {
    expect(() => writeSafetensors([STATE_DICT[0]!, STATE_DICT[0]!])).toThrow('"conv1.weight" twice');
    expect(() => writeSafetensors([{ ...STATE_DICT[0]!, shape: [2, 2] } as StateDict[number]])).toThrow('6 values for shape [2, 2]');
  });
});

describe('PyTorch zip writer', () => {
  it('stores data.pkl, byteorder, one record per tensor and version under one folder, uncompressed', () => {
    const file = writePth(STATE_DICT, 'resnet8');
    const entries = unzipSync(file);
    expect(Object.keys(entries)).toEqual(['resnet8/data.pkl', 'resnet8/byteorder', 'resnet8/data/0', 'resnet8/data/1', 'resnet8/data/2', 'resnet8/version']);
    expect(ascii(entries['resnet8/version']!)).toBe('3\n');
    expect(ascii(entries['resnet8/byteorder']!)).toBe('little');
    expect(new Float32Array(entries['resnet8/data/2']!.slice().buffer)).toEqual(STATE_DICT[2]!.data);
    expect(new BigInt64Array(entries['resnet8/data/1']!.slice().buffer)[0]).toBe(7n);
  });

  it('starts every record’s bytes on a 64-byte boundary, as PyTorch’s writer does', () => {
    const file = writePth(STATE_DICT);
    const view = new DataView(file.buffer);
    let offset = 0;
    let records = 0;
    while (view.getUint32(offset, true) === 0x04034b50) {
      expect(view.getUint16(offset + 8, true)).toBe(0); // stored
      const nameLength = view.getUint16(offset + 26, true);
      const extraLength = view.getUint16(offset + 28, true);
      const start = offset + 30 + nameLength + extraLength;
      expect(start % 64).toBe(0);
      expect(ascii(file.subarray(offset + 30 + nameLength, offset + 32 + nameLength))).toBe('FB');
      offset = start + view.getUint32(offset + 18, true);
      records++;
    }
    expect(records).toBe(6);
  });

  it('pickles an OrderedDict of _rebuild_tensor_v2 calls on typed storages, naming nothing else', () => {
    const pickle = ascii(writeStateDictPickle(STATE_DICT));
    expect(pickle.startsWith('\x80\x02ccollections\nOrderedDict\n')).toBe(true);
    expect(pickle.endsWith('u.')).toBe(true);
    const count = (text: string) => pickle.split(text).length - 1;
    expect(count('ccollections\nOrderedDict\n')).toBe(4); // the dict and each tensor's empty backward hooks
    expect(count('ctorch._utils\n_rebuild_tensor_v2\n')).toBe(3);
    expect(count('ctorch\nFloatStorage\n')).toBe(2);
    expect(count('ctorch\nLongStorage\n')).toBe(1);
    // A GLOBAL's module and name end in newlines; no argument of this input is a 0x0a byte, so these are all.
    expect(count('\n')).toBe(2 * 10);
    // conv1.weight's shape (2, 3, 1, 1) and contiguous strides (3, 1, 1, 1) as BININT1 tuples.
    expect(pickle).toContain('(K\x02K\x03K\x01K\x01t(K\x03K\x01K\x01K\x01t\x89');
    // 70000 elements need a 4-byte BININT.
    expect(pickle).toContain('J\x70\x11\x01\x00');
  });
});
