/** FitNets hints, shared by FitNets and FitNet-MKD. */
import * as tf from '@tensorflow/tfjs';
import type { ModelOutput } from '../models/network';
import type { FeatureShapes } from './method';

/**
 * RepDistiller's `--hint_layer 2` indexes the feature list [stem, stage1, stage2, ...] (ResNet, WRN: layer2;
 * VGG: block2), so the hint is stage2 of every model in the zoo.
 */
const HINT_LAYER = 2;

export function hintFeature(output: ModelOutput): tf.Tensor4D {
  const feature = output.features.stages[HINT_LAYER - 1];
  if (!feature) throw new Error(`FitNets needs a model with at least ${HINT_LAYER} stages`);
  return feature;
}

export function hintShape(shapes: FeatureShapes): readonly number[] {
  const shape = shapes.stages[HINT_LAYER - 1];
  if (!shape) throw new Error(`FitNets needs a model with at least ${HINT_LAYER} stages`);
  return shape;
}

/** L_hint = mean over B·C·H·W of (reg(f_s) − f_t)². */
export function hintLoss(regressed: tf.Tensor4D, teacher: tf.Tensor4D): tf.Scalar {
  return tf.mean(tf.squaredDifference(regressed, teacher));
}
