// The models that complete RepDistiller's model_dict (ResNet50, vgg16, vgg19, ShuffleV1, ShuffleV2): exact
// sizes against PyTorch's counts, the structure each file builds, and one training step with finite,
// non-zero gradients for every trainable variable. The Network contract itself is in zoo.test.ts; the
// ShuffleNets' values against RepDistiller's own code are in torchParity.test.ts.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { ModelId } from '../../src/contract/modelCatalog';
import { isResNet50, resnet50 } from '../../src/models/resnetV2';
import { isShuffleV1, shuffleNetV1 } from '../../src/models/shufflenetV1';
import { isShuffleV2, shuffleNetV2 } from '../../src/models/shufflenetV2';
import { buildNetwork } from '../../src/models/zoo';

/**
 * Trainable parameters at 10 and 100 classes. ShuffleV1/V2 at 10 classes are the parity assets' counts
 * (PyTorch's sum of numel over RepDistiller's modules); the others are worked out from the module lists,
 * and every 100-class count rounds to the size RepDistiller's papers list (23.71M, 14.77M, 20.09M, 0.95M,
 * 1.36M).
 */
const SIZES: Readonly<Record<string, readonly [ModelId, number, number]>> = {
  ResNet50: ['resnet50', 23_520_842, 23_705_252],
  vgg16: ['vgg16', 14_728_266, 14_774_436],
  vgg19: ['vgg19', 20_040_522, 20_086_692],
  ShuffleV1: ['shufflev1', 862_768, 949_258],
  ShuffleV2: ['shufflev2', 1_263_278, 1_355_528],
};

const options = (name: string, numClasses = 10) => ({ numClasses, name, seed: 4 });

describe("RepDistiller's remaining models", () => {
  it.each(Object.entries(SIZES))('%s: trainable parameters at 10 and 100 classes', (_, [id, ten, hundred]) => {
    for (const [classes, expected] of [[10, ten], [100, hundred]] as const) {
      const net = buildNetwork(id, options(`size-${id}-${classes}`, classes));
      expect(net.params.trainableCount, `${id} at ${classes} classes`).toBe(expected);
      net.dispose();
    }
  });

  it('ResNet50: bottlenecks 3/4/6/3, stride on the 3x3, projections exactly at each stage start', () => {
    const net = resnet50(options('r50-layout'));
    expect(isResNet50(net)).toBe(true);
    expect(net.layers.stages.map((blocks) => blocks.length)).toEqual([3, 4, 6, 3]);
    expect(net.layers.stages.map((blocks) => blocks.map((b) => b.shortcut !== null))).toEqual([
      [true, false, false],
      [true, false, false, false],
      [true, false, false, false, false, false],
      [true, false, false],
    ]);
    expect(net.layers.stages.map((blocks) => [blocks[0]!.conv1.conv.stride, blocks[0]!.conv2.conv.stride])).toEqual([[1, 1], [1, 2], [1, 2], [1, 2]]);
    expect(net.layers.fc.weight.shape).toEqual([2048, 10]);
    net.dispose();
  });

  it('ShuffleV1: g = 1 only in the first block, grouped kernels [1, 1, in/3, out], branches narrowed by the concatenated input', () => {
    const net = shuffleNetV1(options('v1-layout'));
    expect(isShuffleV1(net)).toBe(true);
    const first = net.layers.stages.map((blocks) => blocks[0]!);
    expect(first.map((b) => [b.stride, b.shuffleGroups, b.conv1.conv.kernel.shape, b.conv3.conv.kernel.shape])).toEqual([
      [2, 1, [1, 1, 24, 54], [1, 1, 18, 216]],
      [2, 3, [1, 1, 80, 60], [1, 1, 20, 240]],
      [2, 3, [1, 1, 160, 120], [1, 1, 40, 480]],
    ]);
    expect(net.layers.stages.flat().filter((b) => b.stride === 1)).toHaveLength(13);
    net.dispose();
  });

  it('ShuffleV2: a down block then 3/7/3 split blocks per stage, splitting half the channels', () => {
    const net = shuffleNetV2(options('v2-layout'));
    expect(isShuffleV2(net)).toBe(true);
    expect(net.layers.stages.map(([down, ...basics]) => [down.kind, basics.length, basics[0]!.split])).toEqual([
      ['shuffleV2DownBlock', 3, 58],
      ['shuffleV2DownBlock', 7, 116],
      ['shuffleV2DownBlock', 3, 232],
    ]);
    expect(net.layers.conv2.conv.kernel.shape).toEqual([1, 1, 464, 1024]);
    net.dispose();
  });

  it.each(Object.values(SIZES).map(([id]) => id))('%s: a training step gives finite gradients, non-zero for every trainable variable', (id) => {
    const net = buildNetwork(id, options(`grad-${id}`));
    const localName = new Map([...net.params.named].map(([name, variable]) => [variable, name]));
    // 8x8 keeps the big ones cheap; every family pools globally, so the step is the same code at any size.
    const grads = tf.tidy(() => {
      const x = tf.randomNormal<tf.Rank.R4>([4, 8, 8, 3], 0, 1, 'float32', 5);
      const labels = tf.oneHot(tf.tensor1d([0, 3, 7, 9], 'int32'), 10);
      const loss = () => tf.losses.softmaxCrossEntropy(labels, net.apply(x, { training: true }).logits) as tf.Scalar;
      const { grads: byId } = tf.variableGrads(loss, [...net.params.trainable]);
      return net.params.trainable.map((variable) => {
        const g = byId[variable.name]!;
        return { name: localName.get(variable)!, finite: tf.all(tf.isFinite(g)).dataSync()[0] === 1, largest: tf.max(tf.abs(g)).dataSync()[0]! };
      });
    });
    expect(grads.filter((g) => !g.finite).map((g) => g.name)).toEqual([]);
    // A VGG conv bias feeds a training-mode BatchNorm, which subtracts the batch mean: its gradient is 0 up
    // to rounding, by design. Every other variable must get a gradient.
    expect(grads.filter((g) => !(g.largest > 0) && !/\/conv\/bias$/.test(g.name)).map((g) => g.name)).toEqual([]);
    net.dispose();
  });
});
