// The Network contract, checked for every model the catalog offers, built through the zoo.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MODEL_CATALOG, MODEL_IDS, headPoolsLastStage, hintStage, type ModelId, type ModelInfo } from '../../src/contract/modelCatalog';
import { globalAveragePool } from '../../src/models/layers';
import type { Network } from '../../src/models/network';
import { buildNetwork } from '../../src/models/zoo';

const NUM_CLASSES = 10; // the catalog's parameter counts are for 10 classes
// One 32x32 image for the eval forward (samples are independent there, and the big models are slow on the
// CPU backend); two 8x8 ones for the training forward, so BatchNorm has a batch to take statistics over.
const EVAL_BATCH = 1;
const TRAIN_BATCH = 2;

/** [height = width, channels] of a feature map on a 32x32 input. */
type Tap = readonly [size: number, channels: number];
interface Taps {
  readonly stem: Tap;
  readonly stages: readonly Tap[];
  /** Width of the pooled vector, when it is not the last stage's (MobileNetV2's 1x1 conv comes between). */
  readonly penultimate?: number;
}
const RESNET: Taps = { stem: [32, 16], stages: [[32, 16], [16, 32], [8, 64]] };
const RESNET_X4: Taps = { stem: [32, 32], stages: [[32, 64], [16, 128], [8, 256]] };
// The stem is a bare 16-channel conv at every width; the stages are 16k/32k/64k.
const WRN_1: Taps = { stem: [32, 16], stages: [[32, 16], [16, 32], [8, 64]] };
const WRN_2: Taps = { stem: [32, 16], stages: [[32, 32], [16, 64], [8, 128]] };
// Block outputs before pooling; no pool before block4 on 32-px inputs.
// The data-free KD codes' ResNet-18/34: a 64-channel stem at full resolution, four stages with strides 1/2/2/2.
const DFKD_RESNET: Taps = { stem: [32, 64], stages: [[32, 64], [16, 128], [8, 256], [4, 512]] };
const VGG: Taps = { stem: [32, 64], stages: [[16, 128], [8, 256], [4, 512], [4, 512]] };
const TAPS: Record<ModelId, Taps> = {
  'tiny-cnn': { stem: [32, 16], stages: [[16, 32], [8, 64]] },
  resnet8: RESNET,
  resnet14: RESNET,
  resnet20: RESNET,
  resnet32: RESNET,
  resnet44: RESNET,
  resnet56: RESNET,
  resnet110: RESNET,
  resnet8x4: RESNET_X4,
  resnet32x4: RESNET_X4,
  wrn_16_1: WRN_1,
  wrn_16_2: WRN_2,
  wrn_40_1: WRN_1,
  wrn_40_2: WRN_2,
  wrn_16_1_refilled: WRN_1,
  wrn_16_2_refilled: WRN_2,
  wrn_40_1_refilled: WRN_1,
  wrn_40_2_refilled: WRN_2,
  vgg8: VGG,
  vgg11: VGG,
  vgg13: VGG,
  vgg16: VGG,
  vgg19: VGG,
  resnet18_dfkd: DFKD_RESNET,
  resnet34_dfkd: DFKD_RESNET,
  resnet50: { stem: [32, 64], stages: [[32, 256], [16, 512], [8, 1024], [4, 2048]] },
  // 1x1 stem at full resolution; every stage starts with a stride-2 block.
  shufflev1: { stem: [32, 24], stages: [[16, 240], [8, 480], [4, 960]] },
  shufflev2: { stem: [32, 24], stages: [[16, 116], [8, 232], [4, 464]], penultimate: 1024 },
  // Stem stride 2, then RepDistiller's f1..f4 after groups 1, 2, 4 and 6.
  mobilenetv2: { stem: [16, 16], stages: [[16, 12], [8, 16], [4, 48], [2, 160]], penultimate: 1280 },
};

/**
 * Running means that a training-mode forward leaves at 0 up to rounding, by design: their BN's input is a
 * bias-free linear map (a 1x1 conv) of another BN's training-mode output, whose batch mean is exactly 0 per
 * channel, so the batch mean they average in is 0 too. ShuffleV2 has such pairs with no ReLU between: bn2 ->
 * conv3 -> bn3 in its basic blocks, bn1 -> conv2 -> bn2 and bn4 -> conv5 -> bn5 in its down blocks.
 */
const CENTRED_BATCH_MEAN: Partial<Record<ModelId, RegExp>> = {
  shufflev2: /^stage\d\/(block0\/bn[25]|block[1-9]\d*\/bn3)\/runningMean$/,
};

/** Size of FitNets' hint map on a 32x32 input, as methods.md §1c gives it (layer2 for ResNet/WRN, block2 for VGG). */
const HINT_SIZE: Readonly<Record<ModelInfo['family'], number>> = { tiny: 8, resnet: 16, wrn: 16, vgg: 8, mobilenet: 8, shufflenet: 8 };

// Distinct names per test, so that a message naming a network points at its test.
const build = (id: ModelId, name: string, seed = 1): Network => buildNetwork(id, { numClasses: NUM_CLASSES, name: `${id}-${name}`, seed });

/** Copies of variable values by name (optionally only some), so later updates do not show through. */
function snapshot(net: Network, keep: (variable: tf.Variable) => boolean = () => true): Map<string, Float32Array> {
  const values = new Map<string, Float32Array>();
  for (const [name, variable] of net.params.named) if (keep(variable)) values.set(name, Float32Array.from(variable.dataSync()));
  return values;
}

/** BatchNorm running statistics: the only variables that are not trainable. */
const runningStats = (net: Network) => snapshot(net, (variable) => !variable.trainable);

/** Names in `a` whose values differ from those under the same name in `b`. */
function differing(a: ReadonlyMap<string, Float32Array>, b: ReadonlyMap<string, Float32Array>): string[] {
  const same = (x: Float32Array, y: Float32Array | undefined) => y !== undefined && x.length === y.length && x.every((value, i) => value === y[i]);
  return [...a].filter(([name, values]) => !same(values, b.get(name))).map(([name]) => name);
}

describe('model zoo', () => {
  it.each(MODEL_IDS)('%s: builds with its id, its size matches the catalog to within one percent, and dispose frees it', (id) => {
    const before = tf.memory().numTensors;
    const net = build(id, 'size');
    expect(net.id).toBe(id);
    expect(net.numClasses).toBe(NUM_CLASSES);
    const count = net.params.trainableCount;
    const error = Math.abs(MODEL_CATALOG[id].paramsMillions * 1e6 - count) / count;
    expect(error, `${id} has ${count} trainable parameters`).toBeLessThan(0.01);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(MODEL_IDS)('%s: the seed alone decides the initial weights', (id) => {
    const initialWeights = (seed: number) => {
      const net = build(id, 'seed', seed);
      const weights = snapshot(net);
      net.dispose();
      return weights;
    };
    const [a, b, c] = [initialWeights(1), initialWeights(1), initialWeights(2)];
    expect([...b.keys()]).toEqual([...a.keys()]);
    expect(differing(a, b)).toEqual([]);
    // BatchNorm and the zeroed biases start from constants; everything drawn at random must change with the seed.
    const random = [...a].filter(([, values]) => values.some((value) => value !== values[0])).map(([name]) => name);
    expect(random.filter((name) => !/\/(kernel|weight|bias)$/.test(name))).toEqual([]);
    expect(differing(a, c)).toEqual(random);
  });

  it.each(MODEL_IDS)('%s: eval mode gives logits, the feature taps and a matching head, and keeps BatchNorm statistics', (id) => {
    const net = build(id, 'eval');
    const stats = runningStats(net);
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => {
      const { logits, features } = net.apply(tf.randomNormal([EVAL_BATCH, 32, 32, 3], 0, 1, 'float32', 7), { training: false });
      const maxGap = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
      return {
        logitsShape: logits.shape,
        logits: logits.arraySync(),
        head: net.head(features.penultimate).arraySync(),
        // CA-MKD scores teacher-shaped feat[-2] maps with the teacher's head, which needs this to match.
        headOnLastStage: headPoolsLastStage(id) ? maxGap(net.head(globalAveragePool(features.stages.at(-1)!)), logits) : undefined,
        stem: features.stem.shape,
        stages: features.stages.map((stage) => stage.shape),
        penultimate: features.penultimate.shape,
      };
    });
    expect(tf.memory().numTensors).toBe(before);

    const { stem, stages } = TAPS[id];
    const nhwc = ([size, channels]: Tap) => [EVAL_BATCH, size, size, channels];
    expect(out.logitsShape).toEqual([EVAL_BATCH, NUM_CLASSES]);
    expect(out.stem).toEqual(nhwc(stem));
    expect(out.stages).toEqual(stages.map(nhwc));
    expect(out.penultimate).toEqual([EVAL_BATCH, TAPS[id].penultimate ?? stages.at(-1)?.[1]]);
    expect(out.head).toEqual(out.logits);
    if (out.headOnLastStage !== undefined) expect(out.headOnLastStage).toBeLessThan(1e-5);
    expect(differing(stats, runningStats(net))).toEqual([]);
    net.dispose();
  });

  it.each(MODEL_IDS)('%s: FitNets hint stage and CA-MKD head flag agree with the tap table', (id) => {
    const { stages, penultimate } = TAPS[id];
    expect(stages[hintStage(id)]?.[0]).toBe(HINT_SIZE[MODEL_CATALOG[id].family]);
    // The head pools the last stage exactly when the pooled vector is as wide as that stage.
    expect(headPoolsLastStage(id)).toBe(penultimate === undefined);
  });

  it.each(MODEL_IDS)('%s: a training-mode forward updates every BatchNorm running statistic', (id) => {
    const net = build(id, 'train');
    const stats = runningStats(net);
    const before = tf.memory().numTensors;
    // An 8x8 input keeps the big models cheap; the update does not depend on the input size.
    tf.tidy(() => {
      net.apply(tf.randomNormal([TRAIN_BATCH, 8, 8, 3], 0, 1, 'float32', 7), { training: true });
    });
    expect(tf.memory().numTensors).toBe(before);
    const after = runningStats(net);
    const centred = [...stats.keys()].filter((name) => CENTRED_BATCH_MEAN[id]?.test(name));
    const changed = differing(stats, after);
    expect([...stats.keys()].filter((name) => !changed.includes(name) && !centred.includes(name))).toEqual([]);
    // Those means move only by rounding: the batch mean they average is 0 up to float error.
    for (const name of centred) expect(Math.max(...after.get(name)!.map(Math.abs)), name).toBeLessThan(1e-6);
    net.dispose();
  });
});
