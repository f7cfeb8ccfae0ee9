/**
 * Answers to the page's questions about a finished run's models (contract/inspection.ts): its test images,
 * a model's responses to relevance-reinforced inputs, and per-image relevance with x*. The relevance and
 * x* are the oracle method's own (methods/relevance.ts, methods/lrp), at the run's batch scale: x* moves by
 * γ/B_train however many images are asked about, so the panel shows what the oracle teacher saw.
 */
import * as tf from '@tensorflow/tfjs';
import { imageBytes } from '../data/cifarBinary';
import type { BatchSource, Normalization } from '../data/batches';
import { crossEntropy } from '../methods/losses';
import { lrpRelevance } from '../methods/lrp/index';
import { relevanceRule } from '../methods/oracle';
import type { Network } from '../models/network';
import { encodeNetwork } from '../models/networkWeights';
import { inputNormalizationOf } from '../models/inputNormalization';
import type { InspectionRequest, InspectionResult, ModelPrediction, RelevanceItem } from '../contract/inspection';
import { unhandledMessage } from '../contract/exhaustive';

/** A trained model of the last run, by learner key. */
export interface InspectedModel {
  readonly key: string;
  readonly label: string;
  readonly net: Network;
}

export interface InspectionContext {
  readonly models: readonly InspectedModel[];
  /** The run's test subset (what every `testLogits` row refers to). */
  readonly test: BatchSource;
  readonly normalization: Normalization;
  /** The run's batch size: the oracle's step is γ/B at this B. */
  readonly batch: number;
}

type Answer<R extends InspectionRequest> = Extract<InspectionResult, { kind: R['kind'] }>;

export async function inspect<R extends InspectionRequest>(request: R, context: InspectionContext): Promise<Answer<R>> {
  const kind: InspectionRequest['kind'] = request.kind;
  switch (kind) {
    case 'testImages':
      return testImages(context) as unknown as Answer<R>;
    case 'responses':
      return (await responses(request as Extract<InspectionRequest, { kind: 'responses' }>, context)) as unknown as Answer<R>;
    case 'relevance':
      return (await relevance(request as Extract<InspectionRequest, { kind: 'relevance' }>, context)) as unknown as Answer<R>;
    case 'encodeModel': {
      const { model, metadata } = request as Extract<InspectionRequest, { kind: 'encodeModel' }>;
      const { net } = modelOf(context, model);
      // The file carries the constants the network was trained with: the run's dataset's, or a saved teacher's own.
      const inputNormalization = inputNormalizationOf(net, context.normalization);
      return { kind: 'encodeModel', model, ...(await encodeNetwork(net, { ...metadata, inputNormalization })) } as unknown as Answer<R>;
    }
    default:
      return unhandledMessage(kind, 'inspection');
  }
}

function modelOf(context: InspectionContext, key: string): InspectedModel {
  const model = context.models.find((m) => m.key === key);
  if (!model) throw new Error(`No model "${key}" in the last run; run one first.`);
  return model;
}

function checkGamma(gamma: number): void {
  if (!Number.isFinite(gamma) || gamma < 0 || gamma > 100) throw new RangeError(`γ must be between 0 and 100, got ${gamma}`);
}

/** Stored HWC bytes of `count` images of `side x side` pixels to RGBA. */
function toRgba(pixels: ArrayLike<number>, count: number, side: number): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(count * side * side * 4);
  for (let p = 0; p < count * side * side; p++) {
    rgba.set([pixels[p * 3]!, pixels[p * 3 + 1]!, pixels[p * 3 + 2]!, 255], p * 4);
  }
  return rgba;
}

function testImages({ test }: InspectionContext): Extract<InspectionResult, { kind: 'testImages' }> {
  const { count, images, labels, side } = test.set;
  return { kind: 'testImages', count, size: side, rgba: toRgba(images.subarray(0, count * imageBytes(side)), count, side), labels: labels.slice(0, count) };
}

/**
 * x* for a batch, as the oracle computes it, with the step scaled from this batch's size to the run's:
 * x* = x − (γ/B_train)·Σ_i ∂CE_i/∂x ⊙ |x| for gradient × input, x + (γ/B_train)·sign(x) ⊙ R_LRP otherwise.
 */
function reinforce(net: Network, x: tf.Tensor4D, targets: tf.Tensor1D, gamma: number, ruleIndex: number, trainBatch: number): { xStar: tf.Tensor4D; relevance: tf.Tensor4D } {
  return tf.tidy(() => {
    const rule = relevanceRule(ruleIndex);
    // Evidence for the target class is positive in both: −∂CE/∂x ⊙ |x| = ∂log p_y/∂x ⊙ |x|, and LRP's R.
    const relevance = rule
      ? lrpRelevance(net, x, targets, rule)
      : (tf.mul(tf.neg(tf.grad((input) => tf.mul(crossEntropy(net.apply(input as tf.Tensor4D, { training: false }).logits, targets), x.shape[0]))(x)), tf.abs(x)) as tf.Tensor4D);
    const direction = rule ? tf.mul(tf.sign(x), relevance) : relevance;
    return { xStar: tf.add(x, tf.mul(direction, gamma / trainBatch)) as tf.Tensor4D, relevance };
  });
}

async function responses(request: Extract<InspectionRequest, { kind: 'responses' }>, context: InspectionContext) {
  checkGamma(request.gamma);
  const { net } = modelOf(context, request.model);
  const { test, batch } = context;
  const numClasses = net.numClasses;
  const logits = new Float32Array(test.set.count * numClasses);
  for (let start = 0; start < test.set.count; start += batch) {
    const { x, labels, valid } = test.evalBatch(start, batch);
    const out = tf.tidy(() => {
      const input = request.gamma > 0 ? reinforce(net, x, labels, request.gamma, request.rule, batch).xStar : x;
      return net.apply(input, { training: false }).logits;
    });
    tf.dispose([x, labels]);
    logits.set((await out.data()).subarray(0, valid * numClasses), start * numClasses);
    out.dispose();
  }
  return { kind: 'responses' as const, model: request.model, gamma: request.gamma, rule: request.rule, numClasses, logits, labels: test.set.labels.slice(0, test.set.count) };
}

/** The requested images as normalised x with displayable RGBA, and true labels where known. */
function requestedImages(images: Extract<InspectionRequest, { kind: 'relevance' }>['images'], context: InspectionContext): { x: tf.Tensor4D; rgba: Uint8ClampedArray; labels: number[] | null } {
  const { set } = context.test;
  const { side } = set;
  if ('indices' in images) {
    if (images.indices.length === 0 || images.indices.length > 64) throw new RangeError('Ask about 1 to 64 images at a time.');
    for (const i of images.indices) if (!Number.isInteger(i) || i < 0 || i >= set.count) throw new RangeError(`Image ${i} is not in the test subset (0 to ${set.count - 1}).`);
    const bytes = imageBytes(side);
    const pixels = new Uint8Array(images.indices.length * bytes);
    images.indices.forEach((i, b) => pixels.set(set.images.subarray(i * bytes, (i + 1) * bytes), b * bytes));
    const x = tf.tidy(() => context.test.normalize(tf.div(tf.tensor4d(pixels, [images.indices.length, side, side, 3], 'float32'), 255)));
    return { x, rgba: toRgba(pixels, images.indices.length, side), labels: images.indices.map((i) => set.labels[i]!) };
  }
  const { rgba, count } = images;
  if (!Number.isInteger(count) || count < 1 || count > 64 || rgba.length !== count * side * side * 4) throw new RangeError(`Pictures must be ${side}x${side} RGBA, 1 to 64 of them.`);
  const x = tf.tidy(() => {
    const pixels = tf.slice(tf.tensor4d(Float32Array.from(rgba), [count, side, side, 4]), [0, 0, 0, 0], [-1, -1, -1, 3]);
    return context.test.normalize(tf.div(pixels, 255) as tf.Tensor4D);
  });
  return { x, rgba: rgba.slice(), labels: null };
}

async function relevance(request: Extract<InspectionRequest, { kind: 'relevance' }>, context: InspectionContext) {
  checkGamma(request.gamma);
  const inspected = modelOf(context, request.model);
  const { x, rgba, labels } = requestedImages(request.images, context);
  const count = x.shape[0];
  try {
    let targets = labels;
    if (!targets) {
      const top = tf.tidy(() => tf.argMax(inspected.net.apply(x, { training: false }).logits, 1));
      targets = Array.from(await top.data());
      top.dispose();
    }
    const { mean, std } = context.normalization;
    const out = tf.tidy(() => {
      const { xStar, relevance } = reinforce(inspected.net, x, tf.tensor1d(targets, 'int32'), request.gamma, request.rule, context.batch);
      const display = tf.clipByValue(tf.add(tf.mul(xStar, tf.tensor1d([...std])), tf.tensor1d([...mean])), 0, 1);
      return {
        relevance: tf.sum(relevance, 3),
        xStar: display,
        onXStar: tf.softmax(inspected.net.apply(xStar, { training: false }).logits),
        onX: context.models.map((m) => tf.softmax(m.net.apply(x, { training: false }).logits)),
      };
    });
    const [relevanceValues, xStarValues, onXStar, ...onX] = await Promise.all([out.relevance, out.xStar, out.onXStar, ...out.onX].map((t) => t.data()));
    tf.dispose([out.relevance, out.xStar, out.onXStar, ...out.onX]);
    const classes = inspected.net.numClasses;
    const pixels = x.shape[1] * x.shape[2];
    const row = (values: ArrayLike<number>, i: number, width: number) => Array.from((values as Float32Array).subarray(i * width, (i + 1) * width));
    const items: RelevanceItem[] = Array.from({ length: count }, (_, i) => {
      const xStarRgba = new Uint8ClampedArray(pixels * 4);
      for (let p = 0; p < pixels; p++) xStarRgba.set([...row(xStarValues!, i * pixels + p, 3).map((v) => Math.round(v * 255)), 255], p * 4);
      const predictions: ModelPrediction[] = context.models.map((m, k) => ({
        model: m.key,
        label: m.label,
        onX: row(onX[k]!, i, classes),
        ...(m.key === inspected.key ? { onXStar: row(onXStar!, i, classes) } : {}),
      }));
      return { target: targets[i]!, relevance: Float32Array.from(row(relevanceValues!, i, pixels)), x: rgba.slice(i * pixels * 4, (i + 1) * pixels * 4), xStar: xStarRgba, predictions };
    });
    return { kind: 'relevance' as const, model: request.model, gamma: request.gamma, rule: request.rule, items };
  } finally {
    x.dispose();
  }
}
