/**
 * A network that was trained on inputs normalised with other constants than the dataset in use (a PyTorch
 * import carries RepDistiller's CIFAR constants; the dataset its own): every run feeds batches normalised
 * with the dataset's mean and std (`BatchSource`), so such a network gets a per-channel affine in front of
 * it that turns them into what it was trained on:
 *
 *   x_own = (p - m_own) / s_own = x_data · (s_data / s_own) + (m_data - m_own) / s_own,   p = x_data·s_data + m_data.
 *
 * It is part of `apply`, so gradients reach x_data through it (the oracle's gradient × input, the
 * data-free generators). Students keep the dataset's normalisation; only saved models used as teachers or
 * inspected are wrapped (where they are loaded: storage/worker/savedTeacher.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { InputNormalization } from '../contract/modelFile';
import type { Network } from './network';

/** A network with its input re-normalisation: the zoo network inside and the constants it expects. */
export interface RenormalizedNetwork extends Network {
  /** The zoo network itself, which sees x_own (LRP walks its layers). */
  readonly inner: Network;
  /** The constants the inner network was trained with. */
  readonly inputNormalization: InputNormalization;
  /** x_data -> x_own. */
  renormalize(x: tf.Tensor4D): tf.Tensor4D;
}

export function isRenormalized(net: Network): net is RenormalizedNetwork {
  return 'inner' in net && 'renormalize' in net;
}

/** The input normalisation `net` expects: its own when wrapped, otherwise `dataset`'s (it was trained on it). */
export function inputNormalizationOf(net: Network, dataset: InputNormalization): InputNormalization {
  return isRenormalized(net) ? net.inputNormalization : dataset;
}

function sameNormalization(a: InputNormalization, b: InputNormalization): boolean {
  return a.mean.every((m, c) => m === b.mean[c]) && a.std.every((s, c) => s === b.std[c]);
}

/**
 * `net` as it must run on dataset-normalised inputs: itself when its constants are the dataset's (or it
 * carries none), otherwise wrapped in the affine above. The wrapper owns `net`: disposing it disposes both.
 */
export function withInputNormalization(net: Network, dataset: InputNormalization, own: InputNormalization | undefined): Network {
  if (!own || sameNormalization(own, dataset)) return net;
  const scale = tf.tensor1d(own.std.map((s, c) => dataset.std[c]! / s));
  const shift = tf.tensor1d(own.mean.map((m, c) => (dataset.mean[c]! - m) / own.std[c]!));
  const renormalize = (x: tf.Tensor4D) => tf.tidy(() => tf.add(tf.mul(x, scale), shift) as tf.Tensor4D);
  const wrapped: RenormalizedNetwork = {
    id: net.id,
    numClasses: net.numClasses,
    params: net.params,
    classifier: net.classifier,
    inner: net,
    inputNormalization: own,
    renormalize,
    // Like every network's apply, called inside a tidy or a gradient tape, which frees x_own with the rest.
    apply: (x, options) => net.apply(renormalize(x), options),
    head: (penultimate) => net.head(penultimate),
    ...(net.trainingPasses ? { trainingPasses: net.trainingPasses } : {}),
    dispose: () => {
      net.dispose();
      tf.dispose([scale, shift]);
    },
  };
  return wrapped;
}
