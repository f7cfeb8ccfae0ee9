/**
 * The one interface every distillation method implements (the mdistiller `Distiller` shape): a method
 * declares what it needs in its spec, may add trainable modules, may change what the teachers see, may do
 * asynchronous work before the gradient step, and returns named loss terms that the loop sums and logs.
 * The loop never branches on a method's id.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Batch, BatchSource } from '../data/batches';
import type { Rng } from '../core/random';
import type { ModelId } from '../contract/modelCatalog';
import type { ParamStore } from '../models/layers';
import type { ModelOutput, Network } from '../models/network';
import type { MethodSpec } from '../contract/methodCatalog';

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
  readonly numClasses: number;
  /** Width and height of the run's images (a generator makes images of this side). */
  readonly imageSide: number;
  /** Seeds what the method initialises or draws itself (a generator's weights and noise). */
  readonly seed: number;
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

/** A stage the distilled student trains alone, before the main one (REFILLED's embedding stage). */
export interface EarlyStage<Modules> {
  /** As in `spec.needs.stages`, whose `epochsParam` gives its length. */
  readonly id: string;
  losses(inputs: StepInputs<Modules, undefined>): MethodStep;
  /**
   * Scores the student after each epoch of the stage, higher is better (REFILLED: NCM accuracy on the test
   * subset); the best-scoring epoch's weights start the next stage.
   */
  score?(context: { readonly student: Network; readonly test: BatchSource; readonly batch: number }): Promise<{ readonly name: string; readonly value: number }>;
}

/** What a method may use once, between its early stages and the main one. */
export interface MainStageContext<Modules> {
  readonly student: Network;
  readonly teacherNets: readonly Network[];
  readonly modules: Modules;
  readonly params: Readonly<Record<string, number>>;
  readonly numClasses: number;
  readonly rng: Rng;
  /** Visits the training subset once, in batches, augmented as training batches are. */
  forEachTrainingBatch(visit: (batch: Batch) => void): Promise<void>;
}

/** What a data-free method gets to make the student's batch. */
export interface SynthesisInputs<Modules> {
  readonly modules: Modules;
  readonly params: Readonly<Record<string, number>>;
  readonly teacherNets: readonly Network[];
  readonly student: Network;
  readonly batchSize: number;
  /** Maps [0, 1] images to the normalised inputs the networks take. */
  normalize(images01: tf.Tensor4D): tf.Tensor4D;
  readonly rng: Rng;
  /** 0-based epoch and step. */
  readonly epoch: number;
  readonly step: number;
}

/** The student's batch a data-free method made, and numbers it measured while making it. */
export interface Synthesized {
  readonly batch: Batch;
  readonly diagnostics: Readonly<Record<string, number>>;
}

/** Images a method makes, in [0, 1], with the label it gives each, to show in the page. */
export interface MethodSamples {
  readonly images: tf.Tensor4D;
  readonly labels: tf.Tensor1D;
}

export interface DistillationMethod<Modules = unknown, Prepared = unknown> {
  readonly spec: MethodSpec;
  createModules?(context: ModuleContext): Modules;
  /** Releases what `createModules` made outside the module store (a generator and its optimizer). */
  disposeModules?(modules: Modules): void;
  /** Stages trained before the main one, in order. */
  readonly earlyStages?: readonly EarlyStage<Modules>[];
  /** Runs once before the main stage (REFILLED: global class centres and a fresh classifier). */
  prepareMainStage?(context: MainStageContext<Modules>): Promise<void>;
  /** Data-free methods make the distilled student's batch instead of reading one (the baseline still reads real images). */
  synthesize?(inputs: SynthesisInputs<Modules>): Promise<Synthesized>;
  /** Runs after each student step, outside its gradient (TA-DFKD's generator update); returns diagnostics. */
  afterStep?(inputs: SynthesisInputs<Modules>): Promise<Readonly<Record<string, number>>>;
  /** Images the method makes, for the page (TA-DFKD's generated samples with the teacher's labels). */
  samples?(inputs: SynthesisInputs<Modules>, count: number): MethodSamples;
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
