// The WRN-specific side: exact sizes, the pre-activation block layout of RepDistiller's models/wrn.py, the
// exposed layer tree and what each tap is. The generic Network contract is in zoo.test.ts.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { BatchNorm, Conv2d } from '../../src/models/layers';
import { resnet } from '../../src/models/resnet';
import { isWrn, wrn, type Wrn, type WrnId } from '../../src/models/wrn';

// Trainable parameters for 10 classes, worked out by hand from the layer shapes in models/wrn.py: stem 3x3x3x16,
// per block bn1(in) + 3x3 in->out + bn2(out) + 3x3 out->out (+ 1x1 in->out when in != out), final BN(64k),
// fc 64k->10. RepDistiller's 100-class sizes (0.18M, 0.70M, 0.57M, 2.26M) are 90 * (64k + 1) more.
// `shortcuts` counts projections per stage: WRN-d-1 keeps 16 channels into stage1, WRN-d-2 widens them to 32.
const CASES: readonly { id: WrnId; params: number; blocks: number; shortcuts: readonly number[] }[] = [
  { id: 'wrn_16_1', params: 175_066, blocks: 2, shortcuts: [0, 1, 1] },
  { id: 'wrn_16_2', params: 691_674, blocks: 2, shortcuts: [1, 1, 1] },
  { id: 'wrn_40_1', params: 563_930, blocks: 6, shortcuts: [0, 1, 1] },
  { id: 'wrn_40_2', params: 2_243_546, blocks: 6, shortcuts: [1, 1, 1] },
];

const options = (name: string) => ({ numClasses: 10, name, seed: 3 });

/** Every convolution as [local parameter name, kernel shape, stride, padding]. */
function convolutions({ params, layers }: Wrn): unknown[][] {
  const names = new Map([...params.named].map(([name, variable]) => [variable, name]));
  const blockConvs = layers.stages.flat().flatMap((block) => [block.conv1, block.conv2, ...(block.shortcut ? [block.shortcut] : [])]);
  return [layers.stem, ...blockConvs].map((conv: Conv2d) => [names.get(conv.kernel), conv.kernel.shape, conv.stride, conv.pad]);
}

describe('wrn', () => {
  it.each(CASES)('$id: $params trainable parameters, $blocks blocks per stage, projections only where the width changes', (c) => {
    const net = wrn(c.id, options(`${c.id}-layout`));
    expect(net.params.trainableCount).toBe(c.params);
    expect(net.layers.stages.map((blocks) => blocks.length)).toEqual([c.blocks, c.blocks, c.blocks]);
    expect(net.layers.stages.map((blocks) => blocks.filter((block) => block.shortcut).length)).toEqual(c.shortcuts);
    expect(net.layers.stages.every((blocks) => blocks.slice(1).every((block) => block.shortcut === null))).toBe(true);
    net.dispose();
  });

  it('names and shapes every convolution as RepDistiller lays out wrn_16_2, and zeroes the fc bias', () => {
    const net = wrn('wrn_16_2', options('16-2-names'));
    expect(convolutions(net)).toEqual([
      ['stem/conv/kernel', [3, 3, 3, 16], 1, 1],
      ['stage1/block0/conv1/kernel', [3, 3, 16, 32], 1, 1],
      ['stage1/block0/conv2/kernel', [3, 3, 32, 32], 1, 1],
      ['stage1/block0/shortcut/kernel', [1, 1, 16, 32], 1, 0],
      ['stage1/block1/conv1/kernel', [3, 3, 32, 32], 1, 1],
      ['stage1/block1/conv2/kernel', [3, 3, 32, 32], 1, 1],
      ['stage2/block0/conv1/kernel', [3, 3, 32, 64], 2, 1],
      ['stage2/block0/conv2/kernel', [3, 3, 64, 64], 1, 1],
      ['stage2/block0/shortcut/kernel', [1, 1, 32, 64], 2, 0],
      ['stage2/block1/conv1/kernel', [3, 3, 64, 64], 1, 1],
      ['stage2/block1/conv2/kernel', [3, 3, 64, 64], 1, 1],
      ['stage3/block0/conv1/kernel', [3, 3, 64, 128], 2, 1],
      ['stage3/block0/conv2/kernel', [3, 3, 128, 128], 1, 1],
      ['stage3/block0/shortcut/kernel', [1, 1, 64, 128], 2, 0],
      ['stage3/block1/conv1/kernel', [3, 3, 128, 128], 1, 1],
      ['stage3/block1/conv2/kernel', [3, 3, 128, 128], 1, 1],
    ]);
    // Each block normalises its input: bn1 has the input's width.
    expect(net.layers.stages.flat().map((block) => block.bn1.gamma.shape[0])).toEqual([16, 32, 32, 64, 64, 128]);
    expect(net.layers.stages.flat().flatMap((block) => [block.conv1, block.conv2]).every((conv) => conv.bias === null)).toBe(true);
    expect(net.layers.fc.weight.shape).toEqual([128, 10]);
    expect([...net.layers.fc.bias.dataSync()].every((value) => value === 0)).toBe(true);
    net.dispose();
  });

  it('computes exactly what a walk over its exposed layers computes; taps are the raw stage sums, then the head input', () => {
    // wrn_16_2 has a projection in every stage, including a stride-1 one in stage1.
    const net = wrn('wrn_16_2', options('walk'));
    const gaps = tf.tidy(() => {
      const x = tf.randomNormal<tf.Rank.R4>([1, 32, 32, 3], 0, 1, 'float32', 11);
      const bnRelu = (bn: BatchNorm, h: tf.Tensor4D) => tf.relu(bn.apply(h, false));
      let h = net.layers.stem.apply(x);
      const sums: tf.Tensor4D[] = [];
      for (const blocks of net.layers.stages) {
        for (const block of blocks) {
          const a = bnRelu(block.bn1, h);
          const residual = block.shortcut ? block.shortcut.apply(a) : h; // the projection reads the activated input
          h = tf.add(block.conv2.apply(bnRelu(block.bn2, block.conv1.apply(a))), residual);
        }
        sums.push(h);
      }
      const last = bnRelu(net.layers.bn, h);
      // RepDistiller's avg_pool2d(8) + view, which the network computes as a global average.
      const expected = net.layers.fc.apply(tf.reshape(tf.avgPool(last, 8, 8, 'valid'), [1, -1]));
      const { logits, features } = net.apply(x, { training: false });
      const gap = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
      return {
        logits: gap(logits, expected),
        stem: gap(features.stem, net.layers.stem.apply(x)),
        stage1: gap(features.stages[0]!, sums[0]!),
        stage2: gap(features.stages[1]!, sums[1]!),
        stage3: gap(features.stages[2]!, last),
        // Pre-activation sums take both signs; the last tap is post-ReLU.
        stage2Min: tf.min(features.stages[1]!).dataSync()[0]!,
        stage3Min: tf.min(features.stages[2]!).dataSync()[0]!,
      };
    });
    expect(Math.max(gaps.logits, gaps.stem, gaps.stage1, gaps.stage2, gaps.stage3)).toBeLessThan(1e-5);
    expect(gaps.stage2Min).toBeLessThan(0);
    expect(gaps.stage3Min).toBe(0);
    net.dispose();
  });

  it('isWrn tells the WRNs, whose layers can be walked, from other networks', () => {
    const [wide, res] = [wrn('wrn_16_1', options('guard-wrn')), resnet('resnet8', options('guard-res'))];
    expect(isWrn(wide)).toBe(true);
    expect(isWrn(res)).toBe(false);
    wide.dispose();
    res.dispose();
  });
});
