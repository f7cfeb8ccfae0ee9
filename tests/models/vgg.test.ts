// The VGG-specific side: exact sizes, the block layout and init of RepDistiller's models/vgg.py (BN builds),
// the exposed layer tree and where the taps sit. The generic Network contract is in zoo.test.ts.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { resnet } from '../../src/models/resnet';
import { isVgg, poolsBefore, vgg, type VggId } from '../../src/models/vgg';

// Trainable parameters for 10 classes, worked out by hand from models/vgg.py: per conv 3x3 in->out with bias
// plus BN(out), i.e. 9·in·out + 3·out, and Linear(512, 10). RepDistiller's 100-class sizes (3.97M, 9.28M,
// 9.46M, 14.77M, 20.09M) are 90 * 513 more.
const CASES: readonly { id: VggId; params: number; convs: readonly number[] }[] = [
  { id: 'vgg8', params: 3_918_858, convs: [1, 1, 1, 1, 1] }, // cfg S
  { id: 'vgg11', params: 9_231_114, convs: [1, 1, 2, 2, 2] }, // cfg A
  { id: 'vgg13', params: 9_416_010, convs: [2, 2, 2, 2, 2] }, // cfg B
  { id: 'vgg16', params: 14_728_266, convs: [2, 2, 3, 3, 3] }, // cfg D
  { id: 'vgg19', params: 20_040_522, convs: [2, 2, 4, 4, 4] }, // cfg E
];

const options = (name: string) => ({ numClasses: 10, name, seed: 3 });

/** Root mean square: the standard deviation of zero-mean draws. */
const rms = (values: tf.Tensor) => tf.tidy(() => tf.sqrt(tf.mean(tf.square(values))).dataSync()[0]!);

describe('vgg', () => {
  it.each(CASES)('$id: $params trainable parameters, with RepDistiller\'s convolutions per block', (c) => {
    const net = vgg(c.id, options(`${c.id}-layout`));
    expect(net.params.trainableCount).toBe(c.params);
    expect(net.layers.blocks.map((units) => units.length)).toEqual(c.convs);
    net.dispose();
  });

  it("names and shapes vgg8's layers as RepDistiller does, with its init: zero conv biases, N(0, 0.01) classifier", () => {
    const net = vgg('vgg8', options('vgg8-names'));
    const names = new Map([...net.params.named].map(([name, variable]) => [variable, name]));
    const convs = net.layers.blocks.flat().map(({ conv }) => [names.get(conv.kernel), conv.kernel.shape, conv.stride, conv.pad]);
    expect(convs).toEqual([
      ['block0/unit0/conv/kernel', [3, 3, 3, 64], 1, 1],
      ['block1/unit0/conv/kernel', [3, 3, 64, 128], 1, 1],
      ['block2/unit0/conv/kernel', [3, 3, 128, 256], 1, 1],
      ['block3/unit0/conv/kernel', [3, 3, 256, 512], 1, 1],
      ['block4/unit0/conv/kernel', [3, 3, 512, 512], 1, 1],
    ]);
    const biases = net.layers.blocks.flat().map(({ conv }) => conv.bias);
    expect(biases.every((bias) => bias !== null && bias.dataSync().every((value) => value === 0))).toBe(true);
    const { weight, bias } = net.layers.classifier;
    expect(weight.shape).toEqual([512, 10]);
    expect(rms(weight)).toBeCloseTo(0.01, 3);
    expect(bias.dataSync().every((value) => value === 0)).toBe(true);
    net.dispose();
  });

  it('pools after blocks 0-2, and after block3 only for 64-px inputs (pool3), as forward() does', () => {
    const blocks = [0, 1, 2, 3, 4];
    expect(blocks.map((i) => poolsBefore(i, 32))).toEqual([false, true, true, true, false]);
    expect(blocks.map((i) => poolsBefore(i, 64))).toEqual([false, true, true, true, true]);
  });

  it('computes exactly what a walk over its exposed layers computes; taps are post-ReLU block outputs before pooling', () => {
    const net = vgg('vgg8', options('walk'));
    const gaps = tf.tidy(() => {
      const x = tf.randomNormal<tf.Rank.R4>([1, 32, 32, 3], 0, 1, 'float32', 11);
      const maps: tf.Tensor4D[] = [];
      let h = x;
      net.layers.blocks.forEach((units, i) => {
        if (i >= 1 && i <= 3) h = tf.maxPool(h, 2, 2, 'valid'); // pool0..pool2; no pool3 at 32 px
        for (const unit of units) h = tf.relu(unit.bn.apply(unit.conv.apply(h), false));
        maps.push(h);
      });
      const expected = net.layers.classifier.apply(tf.mean(h, [1, 2]));
      const { logits, features } = net.apply(x, { training: false });
      const gap = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
      return [gap(logits, expected), gap(features.stem, maps[0]!), ...features.stages.map((stage, i) => gap(stage, maps[i + 1]!))];
    });
    expect(gaps).toHaveLength(6);
    expect(Math.max(...gaps)).toBeLessThan(1e-5);
    net.dispose();
  });

  it('isVgg tells the VGGs, whose layers can be walked, from other networks', () => {
    const [plain, res] = [vgg('vgg8', options('guard-vgg')), resnet('resnet8', options('guard-res'))];
    expect(isVgg(plain)).toBe(true);
    expect(isVgg(res)).toBe(false);
    plain.dispose();
    res.dispose();
  });
});
