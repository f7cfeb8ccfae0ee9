/** The one interface every distillation method implements (the mdistiller `Distiller` shape). */
import type * as tf from '@tensorflow/tfjs';
import type { ModelOutput } from '../models/network';
import type { MethodSpec } from './catalog';

export interface StepInputs {
  /** The (augmented, normalised) batch every model sees. */
  readonly x: tf.Tensor4D;
  /** Integer class labels, int32 [B]. */
  readonly labels: tf.Tensor1D;
  /** Student forward pass in training mode; gradients flow through it. */
  readonly student: ModelOutput;
  /** Frozen teachers' outputs on the same batch (constants). */
  readonly teachers: readonly ModelOutput[];
  /** Values of `spec.params`, by key. */
  readonly params: Readonly<Record<string, number>>;
  /** 0-based epoch (some methods leave a term out of the first epoch). */
  readonly epoch: number;
}

/** Already-weighted loss terms by name (e.g. `ce`, `kd`); the loop sums them and logs each. */
export type LossTerms = Readonly<Record<string, tf.Scalar>>;

export interface DistillationMethod {
  readonly spec: MethodSpec;
  losses(inputs: StepInputs): LossTerms;
}

/** A method parameter's value; the config merge guarantees every declared key is present. */
export function param(params: Readonly<Record<string, number>>, key: string): number {
  const value = params[key];
  if (value === undefined || !Number.isFinite(value)) throw new Error(`Missing method parameter "${key}"`);
  return value;
}
