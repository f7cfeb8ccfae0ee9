// The MobileNetV2-specific side: exact size, the group layout of RepDistiller's models/mobilenetv2.py as
// mobile_half builds it, the depthwise init quirk and where the taps sit. The generic contract is in zoo.test.ts.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { isMobileNetV2, mobileNetV2, TAP_GROUPS, type DepthwiseBn } from '../../src/models/mobilenetV2';
import type { ConvBn } from '../../src/models/layers';
import { resnet } from '../../src/models/resnet';

const options = (name: string) => ({ numClasses: 10, name, seed: 3 });

describe('mobilenetV2 (mobile_half)', () => {
  it('has the parameter count and group layout of mobile_half: width 0.5, expansion 6, 1280-channel conv2', () => {
    const net = mobileNetV2(options('layout'));
    // By hand: stem 3x3x3x16 + BN; per block 1x1 in->6in + BN, depthwise 3x3 + BN, 1x1 6in->out + BN
    // (expansion 1 in group 0); conv2 1x1 160->1280 + BN; Linear(1280, 10). RepDistiller's 100-class
    // size, 0.81M, is 90 * 1281 more.
    expect(net.params.trainableCount).toBe(697_546);
    const { groups, conv2, classifier } = net.layers;
    expect(groups.map((blocks) => blocks.length)).toEqual([1, 2, 3, 4, 3, 3, 1]);
    expect(groups.map((blocks) => blocks.at(-1)!.project.conv.kernel.shape[3])).toEqual([8, 12, 16, 32, 48, 80, 160]);
    expect(groups.map((blocks) => blocks[0]!.depthwise.conv.stride)).toEqual([1, 1, 2, 2, 1, 2, 1]);
    // Expansion 1 in group 0 (whose 1x1 expansion conv this copy keeps), 6 everywhere else.
    const expansion = groups.map((blocks) => blocks.map(({ expand }) => expand.conv.kernel.shape[3]! / expand.conv.kernel.shape[2]!));
    expect(expansion).toEqual(groups.map((blocks, g) => blocks.map(() => (g === 0 ? 1 : 6))));
    // The identity is added exactly where the stride is 1 and the width unchanged: every block but a group's first.
    expect(groups.map((blocks) => blocks.map((block) => block.residual))).toEqual(groups.map((blocks) => blocks.map((_, b) => b > 0)));
    expect([net.layers.stem.conv.stride, conv2.conv.kernel.shape, classifier.weight.shape]).toEqual([2, [1, 1, 160, 1280], [1280, 10]]);
    net.dispose();
  });

  it("draws depthwise kernels with RepDistiller's std sqrt(2 / (9 * channels)), which ignores groups", () => {
    const net = mobileNetV2(options('init'));
    const kernel = net.layers.groups[6]![0]!.depthwise.conv.kernel; // 480 channels: 4320 draws
    expect(kernel.shape).toEqual([3, 3, 480, 1]);
    // Root mean square: the standard deviation of zero-mean draws.
    const std = tf.tidy(() => tf.sqrt(tf.mean(tf.square(kernel))).dataSync()[0]!);
    expect(std / Math.sqrt(2 / (9 * 480))).toBeCloseTo(1, 1);
    net.dispose();
  });

  it('computes exactly what a walk over its exposed layers computes; taps follow groups 1, 2, 4 and 6', () => {
    expect(TAP_GROUPS).toEqual([1, 2, 4, 6]);
    const net = mobileNetV2(options('walk'));
    const gaps = tf.tidy(() => {
      const x = tf.randomNormal<tf.Rank.R4>([1, 32, 32, 3], 0, 1, 'float32', 11);
      const unit = (u: ConvBn | DepthwiseBn, h: tf.Tensor4D) => u.bn.apply(u.conv.apply(h), false);
      const stem = tf.relu(unit(net.layers.stem, x));
      const outputs: tf.Tensor4D[] = [];
      let h = stem;
      for (const blocks of net.layers.groups) {
        for (const block of blocks) {
          const y = unit(block.project, tf.relu(unit(block.depthwise, tf.relu(unit(block.expand, h)))));
          h = block.residual ? tf.add(h, y) : y;
        }
        outputs.push(h);
      }
      const expected = net.layers.classifier.apply(tf.mean(tf.relu(unit(net.layers.conv2, h)), [1, 2]));
      const { logits, features } = net.apply(x, { training: false });
      const gap = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
      const taps = [outputs[1]!, outputs[2]!, outputs[4]!, outputs[6]!];
      return [gap(logits, expected), gap(features.stem, stem), ...features.stages.map((stage, i) => gap(stage, taps[i]!))];
    });
    expect(gaps).toHaveLength(6);
    expect(Math.max(...gaps)).toBeLessThan(1e-5);
    net.dispose();
  });

  it('isMobileNetV2 tells it, whose layers can be walked, from other networks', () => {
    const [mobile, res] = [mobileNetV2(options('guard-mobile')), resnet('resnet8', options('guard-res'))];
    expect(isMobileNetV2(mobile)).toBe(true);
    expect(isMobileNetV2(res)).toBe(false);
    mobile.dispose();
    res.dispose();
  });
});
