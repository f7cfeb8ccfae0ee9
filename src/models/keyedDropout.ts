/**
 * Dropout whose masks the run's seed decides on every backend, and which the PyTorch package draws alike,
 * fast (`distillery_torch/models/keyed_dropout.py`, vectorised in numpy). Two keys come from the keyed
 * generator, keyedRng(seed, 'dropout', pass, layer); element i of the NHWC map then gets the counter-based
 * draw u_i = lowbias32(((i + key0) mod 2^32) XOR key1) / 2^32 (Chris Wellons' 32-bit integer hash, a
 * bijection), and is kept, scaled by 1 / (1 - rate), where u_i >= rate. A counter-based draw needs no
 * sequential state, so the package computes all of a mask at once; sfc32's stream could not be vectorised.
 * `pass` counts the network's training-mode forwards; `layer` numbers its dropout layers.
 */
import * as tf from '@tensorflow/tfjs';
import { keyedRng } from '../core/random';

/** Where one dropout layer's mask is drawn: the network's seed, its training pass and the layer's index. */
export interface DropoutKey {
  readonly seed: number;
  readonly pass: number;
  readonly layer: number;
}

const TWO_POW_32 = 4294967296;

/** lowbias32: xor-shift-multiply finaliser, a bijection on 32-bit integers with low bias. */
function lowbias32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The `count` uniform draws in [0, 1) of one dropout layer at one pass. */
export function keyedDropoutUniforms(key: DropoutKey, count: number): Float64Array {
  const rng = keyedRng(key.seed, 'dropout', key.pass, key.layer);
  const offset = Math.floor(rng.next() * TWO_POW_32);
  const flip = Math.floor(rng.next() * TWO_POW_32);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = lowbias32(((i + offset) >>> 0) ^ flip) / TWO_POW_32;
  return out;
}

export function keyedDropoutMask(key: DropoutKey, shape: readonly [number, number, number, number], rate: number): tf.Tensor4D {
  if (!(rate >= 0 && rate < 1)) throw new Error(`Dropout rate must be in [0, 1), got ${rate}`);
  const uniforms = keyedDropoutUniforms(key, shape[0] * shape[1] * shape[2] * shape[3]);
  const scale = 1 / (1 - rate);
  const mask = new Float32Array(uniforms.length);
  for (let i = 0; i < mask.length; i++) mask[i] = uniforms[i]! >= rate ? scale : 0;
  return tf.tensor4d(mask, [...shape]);
}

/** x with the keyed mask applied; x itself when the rate is 0. */
export function keyedDropout(x: tf.Tensor4D, key: DropoutKey, rate: number): tf.Tensor4D {
  if (rate === 0) return x;
  const [b, h, w, c] = x.shape;
  return tf.mul(x, keyedDropoutMask(key, [b, h, w, c], rate));
}
