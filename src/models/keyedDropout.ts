/**
 * Dropout whose masks come from the run's keyed generator, so that a seed decides them on every backend and
 * the PyTorch package can draw the same ones (`distillery_torch/models/wrn_refilled.py`): element i of the
 * NHWC map is kept, scaled by 1 / (1 - rate), where the i-th draw of keyedRng(seed, 'dropout', pass, layer)
 * is at least `rate`. `pass` counts the network's training-mode forwards; `layer` numbers its dropout layers.
 */
import * as tf from '@tensorflow/tfjs';
import { keyedRng } from '../core/random';

/** Where one dropout layer's mask is drawn: the network's seed, its training pass and the layer's index. */
export interface DropoutKey {
  readonly seed: number;
  readonly pass: number;
  readonly layer: number;
}

export function keyedDropoutMask(key: DropoutKey, shape: readonly [number, number, number, number], rate: number): tf.Tensor4D {
  if (!(rate >= 0 && rate < 1)) throw new Error(`Dropout rate must be in [0, 1), got ${rate}`);
  const rng = keyedRng(key.seed, 'dropout', key.pass, key.layer);
  const scale = 1 / (1 - rate);
  const mask = new Float32Array(shape[0] * shape[1] * shape[2] * shape[3]);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() >= rate ? scale : 0;
  return tf.tensor4d(mask, [...shape]);
}

/** x with the keyed mask applied; x itself when the rate is 0. */
export function keyedDropout(x: tf.Tensor4D, key: DropoutKey, rate: number): tf.Tensor4D {
  if (rate === 0) return x;
  const [b, h, w, c] = x.shape;
  return tf.mul(x, keyedDropoutMask(key, [b, h, w, c], rate));
}
