/**
 * The one interface every distillation method implements (the mdistiller `Distiller` shape): a method
 * declares what it needs in its spec, may add trainable modules, may change what the teachers see, may do
 * asynchronous work before the gradient step, and returns named loss terms that the loop sums and logs.
 * The loop never branches on a method's id.
 */
import type * as tf from '@tensorflow/tfjs';
import type { ModelId } from '../models/catalog';
import type { ParamStore } from '../models/layers';
import type { ModelOutput, Network } from '../models/network';
import type { MethodSpec } from './catalog';

/** Shapes of a network's feature taps for one image, [H, W, C] maps and [D] vectors. */
export interface FeatureShapes {
  readonly stem: readonly number[];
  readonly stages: readonly (readonly number[])[];
  readonly penultimate: readonly number[];
}

/** What a method may use to build its trainable modules (regressors, embedders), once per run. */
export interface ModuleContext {
  /** Variables created here train with the student (one optimizer, as in the references). */
  readonly store: ParamStore;
  readonly student: { readonly model: ModelId; readonly shapes: FeatureShapes };
  readonly teachers: readonly { readonly model: ModelId; readonly shapes: FeatureShapes }[];
  readonly params: Readonly<Record<string, number>>;
  /** The loss the user wrote in the page (the custom method compiles it). */
  readonly userCode: string;
}

interface BatchInputs {
  /** The (augmented, normalised) batch every model sees. */
  readonly x: tf.Tensor4D;
  /** Integer class labels, int32 [B]. */
  readonly labels: tf.Tensor1D;
  /** Values of `spec.params`, by key. */
  readonly params: Readonly<Record<string, number>>;
  /** 0-based epoch (some methods leave a term out of the first epoch). */
  readonly epoch: number;
  /** The frozen teachers, for methods that reuse a teacher's head (CA-MKD). */
  readonly teacherNets: readonly Network[];
  /** Frozen teachers' outputs on the batch (constants). */
  readonly teachers: readonly ModelOutput[];
}

export interface PrepareInputs extends BatchInputs {
  /** A training-mode student forward pass that leaves BatchNorm's running statistics untouched. */
  studentForward(): ModelOutput;
}

export interface StepInputs<Modules, Prepared> extends BatchInputs {
  /** Student forward pass in training mode; gradients flow through it. */
  readonly student: ModelOutput;
  readonly modules: Modules;
  readonly prepared: Prepared;
}

/** Already-weighted loss terms by name (e.g. `ce`, `kd`); the loop sums them and logs each. */
export type LossTerms = Readonly<Record<string, tf.Scalar>>;

export interface MethodStep {
  readonly terms: LossTerms;
  /** Numbers logged alongside, never added to the loss (e.g. each teacher's mean weight). */
  readonly diagnostics?: Readonly<Record<string, tf.Scalar>>;
}

export interface DistillationMethod<Modules = unknown, Prepared = unknown> {
  readonly spec: MethodSpec;
  createModules?(context: ModuleContext): Modules;
  /** What teacher `teacher` sees instead of `x` (the oracle's relevance-reinforced x*); outside any gradient. */
  teacherInput?(x: tf.Tensor4D, labels: tf.Tensor1D, teacher: Network, params: Readonly<Record<string, number>>): tf.Tensor4D;
  /** Work that needs numbers back from the GPU before the gradient step (AEKD's per-batch QP). */
  prepare?(inputs: PrepareInputs): Promise<Prepared>;
  losses(inputs: StepInputs<Modules, Prepared>): MethodStep;
}

/** Erases a method's own module and preparation types for the registry; each method stays fully typed. */
export function defineMethod<Modules, Prepared>(method: DistillationMethod<Modules, Prepared>): DistillationMethod {
  return method as unknown as DistillationMethod;
}

/** A method parameter's value; the config merge guarantees every declared key is present. */
export function param(params: Readonly<Record<string, number>>, key: string): number {
  const value = params[key];
  if (value === undefined || !Number.isFinite(value)) throw new Error(`Missing method parameter "${key}"`);
  return value;
}
