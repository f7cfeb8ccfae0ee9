/**
 * The contract every model in the zoo satisfies: logits plus named feature taps, and the classifier head
 * as a function usable on other inputs (CA-MKD passes projected student features through teacher heads).
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelId } from '../contract/modelCatalog';
import { globalAveragePool, type Dense, type ParamStore } from './layers';

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
  /** Present on a network whose forward depends on how many training forwards came before it. */
  readonly trainingPasses?: TrainingPassCounter;
  dispose(): void;
}

/**
 * The training forwards a network has made (REFILLED-WRN keys its dropout masks by them), which a checkpoint
 * keeps so that a resumed run draws the masks the uninterrupted run would.
 */
export interface TrainingPassCounter {
  readonly count: number;
  restore(count: number): void;
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

/** Anything that maps a feature map to a feature map in a training or an evaluation pass. */
export interface FeatureMapLayer {
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

/** The layers of a stem-stages-classifier network: the shape ResNets, ResNet50 and the ShuffleNets share. */
export interface StagedLayers {
  readonly stem: FeatureMapLayer;
  readonly stages: readonly (readonly FeatureMapLayer[])[];
  readonly fc: Dense;
}

/**
 * The network over staged layers: ReLU(stem), each stage's blocks in turn (each stage's output a feature
 * tap), `beforePool` (a head convolution, for ShuffleV2), global average pooling, `fc`. RepDistiller pools
 * with a fixed window equal to the last map on 32x32 inputs; global pooling is the same there and fits
 * other sizes.
 */
export function stagedNetwork<Id extends ModelId, Layers extends StagedLayers>(
  id: Id,
  options: NetworkOptions,
  params: ParamStore,
  layers: Layers,
  beforePool: (h: tf.Tensor4D, training: boolean) => tf.Tensor4D = (h) => h,
): LayeredNetwork<Id, Layers> {
  return {
    id,
    numClasses: options.numClasses,
    params,
    layers,
    apply(x, { training }) {
      const stem = tf.relu(layers.stem.apply(x, training));
      const stages = runStages(layers.stages, stem, (block, h) => block.apply(h, training));
      const penultimate = globalAveragePool(beforePool(stages[stages.length - 1]!, training));
      return { logits: layers.fc.apply(penultimate), features: { stem, stages, penultimate } };
    },
    classifier: layers.fc,
    head: (penultimate) => layers.fc.apply(penultimate),
    dispose: () => params.dispose(),
  };
}

/** Each stage's blocks in turn from `input`: every stage's output, in order (the stage feature taps). */
export function runStages<Block>(stages: readonly (readonly Block[])[], input: tf.Tensor4D, applyBlock: (block: Block, h: tf.Tensor4D) => tf.Tensor4D): tf.Tensor4D[] {
  const outputs: tf.Tensor4D[] = [];
  let h = input;
  for (const blocks of stages) {
    for (const block of blocks) h = applyBlock(block, h);
    outputs.push(h);
  }
  return outputs;
}
