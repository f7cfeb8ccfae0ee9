/**
 * Test-side reading of F32 safetensors files (the header is JSON, then raw little-endian data) and loading
 * PyTorch-named tensors into a zoo network through a local -> PyTorch name map. Only for tests on the
 * shared parity assets; the page's importer is its own module.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import type { Network } from '../../src/models/network';
import type { TorchTarget } from '../../src/models/torch/names';

export interface TorchTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export function readSafetensors(file: string): Map<string, TorchTensor> {
  const bytes = readFileSync(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const start = 8 + headerLength;
  const tensors = new Map<string, TorchTensor>();
  for (const [name, entry] of Object.entries(header)) {
    // BatchNorm's num_batches_tracked (I64) carries nothing a zoo network holds.
    if (name === '__metadata__' || name.endsWith('num_batches_tracked')) continue;
    if (entry.dtype !== 'F32') throw new Error(`${file}: ${name} is ${entry.dtype}, not F32`);
    const [from, to] = entry.data_offsets;
    const copy = new Uint8Array(bytes.subarray(start + from, start + to));
    tensors.set(name, { shape: entry.shape, data: new Float32Array(copy.buffer) });
  }
  return tensors;
}

/** The permutation from PyTorch's axis order to the local one, per layout. */
const TO_LOCAL: Readonly<Record<TorchTarget['layout'], number[] | null>> = {
  conv2d: [2, 3, 1, 0], // [out, in / groups, kh, kw] -> [kh, kw, in / groups, out]
  depthwise: [2, 3, 0, 1], // [C, 1, kh, kw] -> [kh, kw, C, 1]
  dense: [1, 0], // [out, in] -> [in, out]
  vector: null,
};

/** Assigns every variable of `net` from `tensors`; throws on a missing name or a shape mismatch. */
export function loadTorchWeights(net: Network, tensors: ReadonlyMap<string, TorchTensor>, torchName: (local: string) => TorchTarget | null): void {
  for (const [local, variable] of net.params.named) {
    const name = torchName(local);
    if (!name) throw new Error(`no PyTorch name for ${local}`);
    const tensor = tensors.get(name.torch);
    if (!tensor) throw new Error(`${name.torch} (for ${local}) is not in the checkpoint`);
    const permutation = TO_LOCAL[name.layout];
    tf.tidy(() => {
      const source = tf.tensor(tensor.data, [...tensor.shape]);
      const value = permutation ? tf.transpose(source, permutation) : source;
      if (value.shape.join() !== variable.shape.join()) throw new Error(`${local}: local ${variable.shape}, ${name.torch} ${tensor.shape}`);
      variable.assign(value);
    });
  }
}
