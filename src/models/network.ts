/**
 * The contract every model in the zoo satisfies: logits plus named feature taps, and the classifier head
 * as a function usable on other inputs (CA-MKD passes projected student features through teacher heads).
 */
import type * as tf from '@tensorflow/tfjs';
import type { ModelId } from '../contract/modelCatalog';
import type { Dense, ParamStore } from './layers';

export interface FeatureTaps {
  /** Output of the first convolution block (post-activation). */
  readonly stem: tf.Tensor4D;
  /** stage1..stageK outputs (post-activation), in order; stages[0] is stage1. */
  readonly stages: readonly tf.Tensor4D[];
  /** Pooled vector before the classifier: the embedding. */
  readonly penultimate: tf.Tensor2D;
}

export interface ModelOutput {
  readonly logits: tf.Tensor2D;
  readonly features: FeatureTaps;
}

export interface ApplyOptions {
  /** BatchNorm uses batch statistics (and updates running ones) when true, running statistics when false. */
  readonly training: boolean;
}

export interface Network {
  readonly id: ModelId;
  readonly numClasses: number;
  readonly params: ParamStore;
  apply(x: tf.Tensor4D, options: ApplyOptions): ModelOutput;
  /** The linear classifier on the penultimate features (REFILLED restarts it between its stages). */
  readonly classifier: Dense;
  /** penultimate -> logits. */
  head(penultimate: tf.Tensor2D): tf.Tensor2D;
  dispose(): void;
}

export interface NetworkOptions {
  readonly numClasses: number;
  /** Names this network's variables, unique within the worker (e.g. "teacher0", "student-kd"). */
  readonly name: string;
  /** Seed for the initial weights. */
  readonly seed: number;
}

/** A network of one family whose layer structure can be walked (LRP): the contract plus its layers. */
export type LayeredNetwork<Id extends ModelId, Layers> = Network & { readonly id: Id; readonly layers: Layers };

/** The type guard of one family, from the table of its ids. */
export function familyGuard<Id extends ModelId, Layers>(ids: Readonly<Record<Id, unknown>>) {
  return (network: Network): network is LayeredNetwork<Id, Layers> => Object.hasOwn(ids, network.id) && 'layers' in network;
}
