/**
 * Input relevance for the explainable-oracle method (../shared/spec/methods.md Part B §1 and the LRP note):
 * the seed's gradient × |input| ("reference-exact"), which works for any differentiable model, and real
 * layer-wise relevance propagation (epsilon, gamma, z+) for dense ReLU networks.
 */
import * as tf from '@tensorflow/tfjs';
import { crossEntropy } from './losses';
// rules.ts only imports LrpRule's type from here, so this import makes no runtime cycle.
import { ruleParameters, stabilise } from './lrp/rules';

/** A dense layer computing a @ weight + bias: weight [in, out], bias [out]. */
export interface DenseLayer {
  readonly weight: tf.Tensor2D;
  readonly bias: tf.Tensor1D;
}

/**
 * An LRP rule, applied to every layer (input layer included):
 * - epsilon: z = a @ W + b, stabilised by ε·sign(z);
 * - gamma: W' = W + γ·max(W, 0) and b' = b + γ·max(b, 0), then as epsilon (favours positive contributions);
 * - zplus: W⁺ = max(W, 0), no bias, z + 1e-12 (lrp/rules.ts's ZPLUS_STABILISER).
 * Relevance then flows back as R_in = a ⊙ (W' @ (R / z)). sign(0) is +1.
 */
export type LrpRule =
  | { readonly name: 'epsilon'; readonly epsilon: number }
  | { readonly name: 'gamma'; readonly gamma: number; readonly epsilon: number }
  | { readonly name: 'zplus' };

/** Defaults for rule parameters a caller leaves out: ε only stabilises; γ = 0.25 as Montavon et al. suggest. */
export const LRP_DEFAULTS = { epsilon: 1e-6, gamma: 0.25 } as const;

/** Each layer's input (x, then post-ReLU activations) and the final logits of a dense ReLU network. */
function denseTrace(layers: readonly DenseLayer[], x: tf.Tensor2D): { inputs: tf.Tensor2D[]; logits: tf.Tensor2D } {
  if (layers.length === 0) throw new RangeError('A dense network needs at least one layer');
  const inputs: tf.Tensor2D[] = [];
  let a = x;
  layers.forEach((layer, l) => {
    inputs.push(a);
    const z = tf.add(tf.matMul(a, layer.weight), layer.bias) as tf.Tensor2D;
    a = l < layers.length - 1 ? tf.relu(z) : z;
  });
  return { inputs, logits: a };
}

/** The dense network as a model function, `a @ weight + bias` with ReLU between layers and none after the last. */
export function denseMlp(layers: readonly DenseLayer[]): (x: tf.Tensor2D) => tf.Tensor2D {
  return (x) => tf.tidy(() => denseTrace(layers, x).logits);
}

/**
 * Layer-wise relevance of each input feature for the logit at `targets` (one class per sample), [B, in].
 * Relevance starts as that logit (0 for the other outputs) and the same rule is applied to every layer.
 */
export function lrpDense(layers: readonly DenseLayer[], input: tf.Tensor2D, targets: tf.Tensor1D, rule: LrpRule): tf.Tensor2D {
  return tf.tidy(() => {
    const { inputs, logits } = denseTrace(layers, input);
    let relevance: tf.Tensor2D = tf.mul(logits, tf.oneHot(targets, logits.shape[1]));
    for (let l = layers.length - 1; l >= 0; l--) {
      const a = inputs[l]!;
      const { weight, bias } = ruleParameters(layers[l]!, rule);
      const linear = tf.matMul(a, weight) as tf.Tensor2D;
      const z = stabilise(bias ? tf.add(linear, bias) : linear, rule);
      relevance = tf.mul(a, tf.matMul(tf.div(relevance, z), weight, false, true)) as tf.Tensor2D;
    }
    return relevance;
  });
}

/**
 * The seed's relevance R = ∂CE/∂x ⊙ |x| for any differentiable `model` (a dense MLP, a CNN in eval mode, ...):
 * CE against the true `labels`, mean-reduced over the batch, so each sample's gradient carries 1/B.
 */
export function gradientInputRelevance<T extends tf.Tensor>(
  model: (x: T) => tf.Tensor2D,
  x: T,
  labels: tf.Tensor1D,
): T {
  return tf.tidy(() => {
    const gradient = tf.grad((input) => crossEntropy(model(input as T), labels))(x);
    return tf.mul(gradient, tf.abs(x)) as T;
  });
}

/**
 * The relevance-reinforced input the oracle teacher sees: x* = x − γ·R with R from `gradientInputRelevance`,
 * repeated `steps` times on the previous x* (the seed's rec_num, 1 by default). Not normalised, not clipped.
 */
export function oracleInput<T extends tf.Tensor>(
  model: (x: T) => tf.Tensor2D,
  x: T,
  labels: tf.Tensor1D,
  gamma: number,
  steps = 1,
): T {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a positive integer, got ${steps}`);
  return tf.tidy(() => {
    let current = x;
    for (let step = 0; step < steps; step++) {
      current = tf.sub(current, tf.mul(gradientInputRelevance(model, current, labels), gamma)) as T;
    }
    return current;
  });
}
