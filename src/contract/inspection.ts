/**
 * Questions the page asks the training worker about the models of the last run, after it ends: the test
 * images, a model's responses to relevance-reinforced inputs, per-image relevance, and a model's weights
 * as files (to save or export). Plain data only.
 */
import type { ModelJson, ModelMetadata } from './modelFile';

/** The relevance rule by index, as the oracle's `rule` parameter: 0 gradient × input, 1 LRP-ε, 2 LRP-γ, 3 LRP-z⁺. */
export type RuleIndex = number;

export type InspectionRequest =
  /** The run's test subset as RGBA, in the order of every `testLogits`. */
  | { readonly kind: 'testImages' }
  /** A model's test-subset logits on x* = x reinforced by its own relevance with step γ (γ = 0: plain x). */
  | { readonly kind: 'responses'; readonly model: string; readonly gamma: number; readonly rule: RuleIndex }
  /**
   * Relevance of `model` for chosen images: test-subset images by index (their true labels), or the
   * user's own RGBA pictures at the run's image side (labelled with the model's own top class). Every model
   * of the run predicts on x; the inspected model also on x*.
   */
  | {
      readonly kind: 'relevance';
      readonly model: string;
      readonly gamma: number;
      readonly rule: RuleIndex;
      readonly images: { readonly indices: readonly number[] } | { readonly rgba: Uint8ClampedArray; readonly count: number };
    }
  /** A model of the last run in the tfjs format (model.json + weights), to keep in the browser or download. */
  | { readonly kind: 'encodeModel'; readonly model: string; readonly metadata: ModelMetadata };

export interface ModelPrediction {
  /** Learner key and label, as in the run's results. */
  readonly model: string;
  readonly label: string;
  /** Softmax probabilities on x, one per class. */
  readonly onX: readonly number[];
  /** Softmax probabilities on x* (only for the inspected model). */
  readonly onXStar?: readonly number[];
}

export interface RelevanceItem {
  /** The class the relevance is computed for (true label, or the model's top class for own pictures). */
  readonly target: number;
  /** Signed relevance per pixel, summed over colour channels, row-major side x side (the run's images'). */
  readonly relevance: Float32Array;
  /** The input and x* as displayable side x side RGBA (x* un-normalised and clipped to [0, 1] for display only). */
  readonly x: Uint8ClampedArray;
  readonly xStar: Uint8ClampedArray;
  readonly predictions: readonly ModelPrediction[];
}

export type InspectionResult =
  | { readonly kind: 'testImages'; readonly count: number; readonly size: number; readonly rgba: Uint8ClampedArray; readonly labels: Uint8Array }
  | { readonly kind: 'responses'; readonly model: string; readonly gamma: number; readonly rule: RuleIndex; readonly numClasses: number; readonly logits: Float32Array; readonly labels: Uint8Array }
  | { readonly kind: 'relevance'; readonly model: string; readonly gamma: number; readonly rule: RuleIndex; readonly items: readonly RelevanceItem[] }
  | { readonly kind: 'encodeModel'; readonly model: string; readonly json: ModelJson; readonly weights: ArrayBuffer };

/** What a panel calls to ask; the Trainer implements it over the worker. Rejects with a readable message. */
export type Inspect = <R extends InspectionRequest>(request: R) => Promise<Extract<InspectionResult, { kind: R['kind'] }>>;
