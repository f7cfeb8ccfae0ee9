// The ResNet-specific side: exact sizes, the block layout of RepDistiller's models/resnet.py, and the
// exposed layer tree. The generic Network contract (shapes, seeds, BatchNorm, leaks) is in zoo.test.ts.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { ConvBn } from '../../src/models/layers';
import { resnet, isResNet, type ResNet, type ResNetId, type ResNetLayers } from '../../src/models/resnet';
import { tinyCnn } from '../../src/models/tinyCnn';

// Trainable parameters for 10 classes, worked out by hand from the layer shapes in models/resnet.py; `shortcuts` is the number of
// projection shortcuts per stage (the x4 variants widen the stem's 32 channels to 64 in stage1).
const CASES: readonly { id: ResNetId; params: number; blocks: number; shortcuts: readonly number[] }[] = [
  { id: 'resnet8', params: 78_042, blocks: 1, shortcuts: [0, 1, 1] },
  { id: 'resnet14', params: 175_258, blocks: 2, shortcuts: [0, 1, 1] },
  { id: 'resnet20', params: 272_474, blocks: 3, shortcuts: [0, 1, 1] },
  { id: 'resnet32', params: 466_906, blocks: 5, shortcuts: [0, 1, 1] },
  { id: 'resnet44', params: 661_338, blocks: 7, shortcuts: [0, 1, 1] },
  { id: 'resnet56', params: 855_770, blocks: 9, shortcuts: [0, 1, 1] },
  { id: 'resnet110', params: 1_730_714, blocks: 18, shortcuts: [0, 1, 1] },
  { id: 'resnet8x4', params: 1_210_410, blocks: 1, shortcuts: [1, 1, 1] },
  { id: 'resnet32x4', params: 7_410_730, blocks: 5, shortcuts: [1, 1, 1] },
];

const options = (name: string) => ({ numClasses: 10, name, seed: 3 });

/** Every conv-BN unit, in creation order. */
function units(layers: ResNetLayers): ConvBn[] {
  const blockUnits = layers.stages.flat().flatMap((block) => [block.conv1, block.conv2, ...(block.shortcut ? [block.shortcut] : [])]);
  return [layers.stem, ...blockUnits];
}

/** Every convolution as [local parameter name, kernel shape, stride, padding]. */
function convolutions(net: ResNet): unknown[][] {
  const names = new Map([...net.params.named].map(([name, variable]) => [variable, name]));
  return units(net.layers).map(({ conv }) => [names.get(conv.kernel), conv.kernel.shape, conv.stride, conv.pad]);
}

/** conv then BN in eval mode, spelled out from the two layers. */
const unitEval = ({ conv, bn }: ConvBn, x: tf.Tensor4D) => bn.apply(conv.apply(x), false);

describe('resnet', () => {
  it.each(CASES)('$id: $params trainable parameters, $blocks blocks per stage, projections only where shapes change', (c) => {
    const net = resnet(c.id, options(`${c.id}-layout`));
    expect(net.params.trainableCount).toBe(c.params);
    expect(net.layers.stages.map((blocks) => blocks.length)).toEqual([c.blocks, c.blocks, c.blocks]);
    expect(net.layers.stages.map((blocks) => blocks.filter((block) => block.shortcut).length)).toEqual(c.shortcuts);
    // Only a stage's first block can change width or resolution, so only it may need a projection.
    expect(net.layers.stages.every((blocks) => blocks.slice(1).every((block) => block.shortcut === null))).toBe(true);
    expect(units(net.layers).every(({ conv }) => conv.bias === null)).toBe(true);
    net.dispose();
  });

  it('names and shapes every convolution as RepDistiller lays out resnet8x4', () => {
    const net = resnet('resnet8x4', options('x4-names'));
    expect(convolutions(net)).toEqual([
      ['stem/conv/kernel', [3, 3, 3, 32], 1, 1],
      ['stage1/block0/conv1/kernel', [3, 3, 32, 64], 1, 1],
      ['stage1/block0/conv2/kernel', [3, 3, 64, 64], 1, 1],
      ['stage1/block0/shortcut/conv/kernel', [1, 1, 32, 64], 1, 0],
      ['stage2/block0/conv1/kernel', [3, 3, 64, 128], 2, 1],
      ['stage2/block0/conv2/kernel', [3, 3, 128, 128], 1, 1],
      ['stage2/block0/shortcut/conv/kernel', [1, 1, 64, 128], 2, 0],
      ['stage3/block0/conv1/kernel', [3, 3, 128, 256], 2, 1],
      ['stage3/block0/conv2/kernel', [3, 3, 256, 256], 1, 1],
      ['stage3/block0/shortcut/conv/kernel', [1, 1, 128, 256], 2, 0],
    ]);
    expect(net.layers.fc.weight.shape).toEqual([256, 10]);
    net.dispose();
  });

  it('computes exactly what a walk over its exposed layers computes', () => {
    const net = resnet('resnet8', options('walk'));
    const gap = tf.tidy(() => {
      const x = tf.randomNormal<tf.Rank.R4>([1, 32, 32, 3], 0, 1, 'float32', 11);
      let h = tf.relu(unitEval(net.layers.stem, x));
      for (const block of net.layers.stages.flat()) {
        const residual = block.shortcut ? unitEval(block.shortcut, h) : h;
        h = tf.relu(tf.add<tf.Tensor4D>(unitEval(block.conv2, tf.relu(unitEval(block.conv1, h))), residual));
      }
      // RepDistiller's AvgPool2d(8) + flatten, which the network computes as a global average.
      const expected = net.layers.fc.apply(tf.reshape(tf.avgPool(h, 8, 8, 'valid'), [1, -1]));
      const { logits } = net.apply(x, { training: false });
      return tf.max(tf.abs(tf.sub(logits, expected))).dataSync()[0];
    });
    expect(gap).toBeLessThan(1e-5);
    net.dispose();
  });

  it('isResNet tells the ResNets, whose layers can be walked, from other networks', () => {
    const [res, tiny] = [resnet('resnet8', options('guard-res')), tinyCnn(options('guard-tiny'))];
    expect(isResNet(res)).toBe(true);
    expect(isResNet(tiny)).toBe(false);
    res.dispose();
    tiny.dispose();
  });
});
