// The Network contract, checked for every model the catalog offers, built through the zoo.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MODEL_CATALOG, MODEL_IDS, type ModelId } from '../../src/models/catalog';
import type { Network } from '../../src/models/network';
import { buildNetwork } from '../../src/models/zoo';

const NUM_CLASSES = 10; // the catalog's parameter counts are for 10 classes
const BATCH = 2;

/** [height = width, channels] of a feature map on a 32x32 input. */
type Tap = readonly [size: number, channels: number];
interface Taps {
  readonly stem: Tap;
  readonly stages: readonly Tap[];
}
const RESNET: Taps = { stem: [32, 16], stages: [[32, 16], [16, 32], [8, 64]] };
const RESNET_X4: Taps = { stem: [32, 32], stages: [[32, 64], [16, 128], [8, 256]] };
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
};

// Distinct names per test: tfjs refuses two live variables with one name, so a failed test cannot break the next.
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
  it.each(MODEL_IDS)('%s: builds with its id, and its size matches the catalog to within one percent', (id) => {
    const net = build(id, 'size');
    expect(net.id).toBe(id);
    expect(net.numClasses).toBe(NUM_CLASSES);
    const count = net.params.trainableCount;
    const error = Math.abs(MODEL_CATALOG[id].paramsMillions * 1e6 - count) / count;
    expect(error, `${id} has ${count} trainable parameters`).toBeLessThan(0.01);
    net.dispose();
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
    // BatchNorm starts from constants; everything drawn at random must change with the seed.
    const random = [...a.keys()].filter((name) => /\/(kernel|weight|bias)$/.test(name));
    expect(differing(a, c)).toEqual(random);
  });

  it.each(MODEL_IDS)('%s: eval mode gives logits, the feature taps and a matching head, and keeps BatchNorm statistics', (id) => {
    const net = build(id, 'eval');
    const stats = runningStats(net);
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => {
      const { logits, features } = net.apply(tf.randomNormal([BATCH, 32, 32, 3], 0, 1, 'float32', 7), { training: false });
      return {
        logitsShape: logits.shape,
        logits: logits.arraySync(),
        head: net.head(features.penultimate).arraySync(),
        stem: features.stem.shape,
        stages: features.stages.map((stage) => stage.shape),
        penultimate: features.penultimate.shape,
      };
    });
    expect(tf.memory().numTensors).toBe(before);

    const { stem, stages } = TAPS[id];
    const nhwc = ([size, channels]: Tap) => [BATCH, size, size, channels];
    expect(out.logitsShape).toEqual([BATCH, NUM_CLASSES]);
    expect(out.stem).toEqual(nhwc(stem));
    expect(out.stages).toEqual(stages.map(nhwc));
    expect(out.penultimate).toEqual([BATCH, stages.at(-1)?.[1]]); // the last stage, pooled
    expect(out.head).toEqual(out.logits);
    expect(differing(stats, runningStats(net))).toEqual([]);
    net.dispose();
  });

  it.each(MODEL_IDS)('%s: a training-mode forward updates every BatchNorm running statistic', (id) => {
    const net = build(id, 'train');
    const stats = runningStats(net);
    const before = tf.memory().numTensors;
    // An 8x8 input keeps the big models cheap; the update does not depend on the input size.
    tf.tidy(() => {
      net.apply(tf.randomNormal([BATCH, 8, 8, 3], 0, 1, 'float32', 7), { training: true });
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(differing(stats, runningStats(net))).toEqual([...stats.keys()]);
    net.dispose();
  });

  it.each(MODEL_IDS)('%s: dispose frees every tensor the network made', (id) => {
    const before = tf.memory().numTensors;
    build(id, 'dispose').dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
