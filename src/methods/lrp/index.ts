/**
 * Layer-wise relevance propagation for every CNN of the zoo (../shared/spec/methods.md, the LRP note), with
 * the rules of relevance.ts's `LrpRule` (epsilon, gamma, z+) applied to every layer, input layer included.
 * Eval mode throughout: BatchNorm uses its running statistics and is folded into the convolution before it.
 */
import * as tf from '@tensorflow/tfjs';
import type { Network } from '../../models/network';
import type { LrpRule } from '../relevance';
import { traceNetwork } from './families';

export type { LrpRule } from '../relevance';

function checkBatch(x: tf.Tensor4D, targets: tf.Tensor1D): void {
  if (targets.shape[0] !== x.shape[0]) {
    throw new RangeError(`LRP needs one target per sample: ${targets.shape[0]} targets for a batch of ${x.shape[0]}`);
  }
}

/**
 * The logits of `net` on x as the LRP walker computes them (eval mode, BatchNorm folded): equal to
 * `net.apply(x, { training: false }).logits` up to float rounding. For checking the walker.
 */
export function lrpLogits(net: Network, x: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const { trace, logits } = traceNetwork(net, x);
    return trace.value(logits) as tf.Tensor2D;
  });
}

/**
 * Relevance of each input value for the logit at `targets[i]` (one class per sample), same shape as x.
 * Relevance starts as that logit (0 for the other classes) and flows back layer by layer under `rule`:
 * dense, convolutions, depthwise and grouped convolutions (BatchNorm folded in) by the rule, ReLUs unchanged,
 * pooling as a linear map (max pooling: winner takes all), residual sums split in proportion to the operands,
 * concatenations split back by channel, channel shuffles and splits moved back with their values.
 * Throws for a network whose family LRP does not know.
 *
 * z+ is the classic rule for non-negative layer inputs: it keeps relevance of the logit's sign where every
 * layer input is (the tiny CNN and VGGs on non-negative images). The signed residual streams of WRN and
 * MobileNetV2 (and normalised images) can flip signs locally.
 */
export function lrpRelevance(net: Network, x: tf.Tensor4D, targets: tf.Tensor1D, rule: LrpRule): tf.Tensor4D {
  checkBatch(x, targets);
  return tf.tidy(() => {
    const { trace, logits } = traceNetwork(net, x);
    const output = trace.value(logits);
    const start = tf.mul(output, tf.oneHot(tf.cast(targets, 'int32') as tf.Tensor1D, output.shape[1]!));
    return trace.relevance(logits, start, rule) as tf.Tensor4D;
  });
}

/**
 * The relevance-reinforced input of the explainable oracle with real LRP in place of the seed's
 * gradient × |input|: x* = x + (γ / B)·sign(x) ⊙ R, R = lrpRelevance(x; logit of the true label),
 * repeated `steps` times on the previous x* (not normalised, not clipped).
 *
 * This mirrors relevance.ts's `oracleInput`, whose x* = x − γ·∂CE_mean/∂x ⊙ |x| equals
 * x + (γ / B)·|x| ⊙ ∇ₓ log softmax_y. For a bias-free ReLU network LRP-0 (epsilon, ε → 0) gives
 * R = x ⊙ ∂z_y/∂x, so sign(x) ⊙ R = |x| ⊙ ∂z_y/∂x: the same step with the true logit z_y in place of
 * log softmax_y. Other rules (and biases) change R, and with it the step, by design.
 */
export function lrpOracleInput(net: Network, x: tf.Tensor4D, labels: tf.Tensor1D, rule: LrpRule, gamma: number, steps = 1): tf.Tensor4D {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a positive integer, got ${steps}`);
  checkBatch(x, labels);
  return tf.tidy(() => {
    const stepSize = gamma / x.shape[0];
    let current = x;
    for (let step = 0; step < steps; step++) {
      const relevance = lrpRelevance(net, current, labels, rule);
      current = tf.add(current, tf.mul(tf.mul(tf.sign(current), relevance), stepSize));
    }
    return current;
  });
}
