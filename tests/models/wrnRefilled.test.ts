// REFILLED's own WRN (njulus/REFILLED networks/wide_resnet.py): exact sizes, where the stride and the biases
// sit, the raw-input shortcut, the final BatchNorm's momentum and the keyed dropout. The Network contract is
// checked in zoo.test.ts; names against the reference in python/tests/test_reference_names.py.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { keyedDropoutMask } from '../../src/models/keyedDropout';
import type { Conv2d } from '../../src/models/layers';
import { wrn } from '../../src/models/wrn';
import { REFILLED_DROPOUT_RATE, isRefilledWrn, refilledWrn, type RefilledWrn, type RefilledWrnId } from '../../src/models/wrnRefilled';

/** Trainable parameters of REFILLED's MyNetwork(depth, width) for `classes`, summed from its layer shapes. */
function referenceCount(depth: number, width: number, classes: number): number {
  const conv = (cin: number, cout: number, k: number) => k * k * cin * cout + cout; // every conv has a bias
  let total = conv(3, 16, 3);
  let cin = 16;
  for (const [cout, stride] of [[16 * width, 1], [32 * width, 2], [64 * width, 2]] as const) {
    for (let b = 0; b < (depth - 4) / 6; b++) {
      const blockIn = b === 0 ? cin : cout;
      total += 2 * blockIn + conv(blockIn, cout, 3) + 2 * cout + conv(cout, cout, 3);
      if ((b === 0 && stride !== 1) || blockIn !== cout) total += conv(blockIn, cout, 1);
    }
    cin = cout;
  }
  return total + 2 * cin + cin * classes + classes;
}

const CASES: readonly { id: RefilledWrnId; depth: number; width: number; params: number }[] = [
  { id: 'wrn_16_1_refilled', depth: 16, width: 1, params: 175_626 },
  { id: 'wrn_16_2_refilled', depth: 16, width: 2, params: 692_810 },
  { id: 'wrn_40_1_refilled', depth: 40, width: 1, params: 565_386 },
  { id: 'wrn_40_2_refilled', depth: 40, width: 2, params: 2_246_474 },
];

const options = (name: string, seed = 3) => ({ numClasses: 10, name, seed });

/** Every convolution as [local name, kernel shape, stride, has a bias]. */
function convolutions({ params, layers }: RefilledWrn): unknown[][] {
  const names = new Map([...params.named].map(([name, variable]) => [variable, name]));
  const blockConvs = layers.stages.flat().flatMap((block) => [block.conv1, block.conv2, ...(block.shortcut ? [block.shortcut] : [])]);
  return [layers.stem, ...blockConvs].map((conv: Conv2d) => [names.get(conv.kernel), conv.kernel.shape, conv.stride, conv.bias !== null]);
}

describe("REFILLED's WRN", () => {
  it.each(CASES)('$id: $params trainable parameters, the count of the reference architecture', (c) => {
    expect(referenceCount(c.depth, c.width, 10)).toBe(c.params);
    const net = refilledWrn(c.id, options(`${c.id}-count`));
    expect(net.params.trainableCount).toBe(c.params);
    expect(isRefilledWrn(net)).toBe(true);
    net.dispose();
  });

  it('puts the stride on conv2 and on the shortcut, a bias on every conv, and projects only where the shape changes', () => {
    const net = refilledWrn('wrn_16_1_refilled', options('16-1-layout'));
    expect(convolutions(net)).toEqual([
      ['stem/conv/kernel', [3, 3, 3, 16], 1, true],
      ['stage1/block0/conv1/kernel', [3, 3, 16, 16], 1, true],
      ['stage1/block0/conv2/kernel', [3, 3, 16, 16], 1, true],
      ['stage1/block1/conv1/kernel', [3, 3, 16, 16], 1, true],
      ['stage1/block1/conv2/kernel', [3, 3, 16, 16], 1, true],
      ['stage2/block0/conv1/kernel', [3, 3, 16, 32], 1, true],
      ['stage2/block0/conv2/kernel', [3, 3, 32, 32], 2, true],
      ['stage2/block0/shortcut/kernel', [1, 1, 16, 32], 2, true],
      ['stage2/block1/conv1/kernel', [3, 3, 32, 32], 1, true],
      ['stage2/block1/conv2/kernel', [3, 3, 32, 32], 1, true],
      ['stage3/block0/conv1/kernel', [3, 3, 32, 64], 1, true],
      ['stage3/block0/conv2/kernel', [3, 3, 64, 64], 2, true],
      ['stage3/block0/shortcut/kernel', [1, 1, 32, 64], 2, true],
      ['stage3/block1/conv1/kernel', [3, 3, 64, 64], 1, true],
      ['stage3/block1/conv2/kernel', [3, 3, 64, 64], 1, true],
    ]);
    expect(net.layers.dropoutRate).toBe(0.3);
    net.dispose();
  });

  it("differs from RepDistiller's WRN of the same size only by the conv biases in its count", () => {
    const [ours, theirs] = [refilledWrn('wrn_16_1_refilled', options('16-1-vs')), wrn('wrn_16_1', options('16-1-rd'))];
    // Biases: stem 16, stage1 2x(16 + 16), stage2 2x(32 + 32) + 32, stage3 2x(64 + 64) + 64; fc's bias is in both.
    expect(ours.params.trainableCount - theirs.params.trainableCount).toBe(16 + 64 + 160 + 320);
    ours.dispose();
    theirs.dispose();
  });

  it('a block adds its branch to the raw input through the 1x1 shortcut (eval mode, no dropout)', () => {
    const net = refilledWrn('wrn_16_1_refilled', options('16-1-block'));
    const block = net.layers.stages[1]![0]!;
    const gap = tf.tidy(() => {
      const x = tf.randomNormal([2, 8, 8, 16], 0, 1, 'float32', 5) as tf.Tensor4D;
      const branch = block.conv2.apply(tf.relu(block.bn2.apply(block.conv1.apply(tf.relu(block.bn1.apply(x, false))), false)));
      const expected = tf.add(branch, block.shortcut!.apply(x));
      return tf.max(tf.abs(tf.sub(block.apply(x, false, 0), expected))).dataSync()[0]!;
    });
    expect(gap).toBeLessThan(1e-5);
    net.dispose();
  });

  it('moves the final BatchNorm statistics with momentum 0.9 of the batch mean, the others with 0.1', () => {
    const net = refilledWrn('wrn_16_1_refilled', options('16-1-momentum'));
    // Running means start at 0, so after one training pass each is momentum x its batch mean.
    const fractions = tf.tidy(() => {
      const x = tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
      const { statistics } = net.params.observeBatchStatistics(() => net.apply(x, { training: true }));
      return statistics.map(({ layer, mean, runningMean }) => {
        const [batch, running] = [mean.dataSync(), runningMean.dataSync()];
        const channel = batch.findIndex((m) => Math.abs(m) > 1e-3);
        return [layer, Math.round((running[channel]! / batch[channel]!) * 1000) / 1000] as const;
      });
    });
    expect(fractions.at(-1)).toEqual(['bn', 0.9]);
    expect(fractions.slice(0, -1).every(([, fraction]) => fraction === 0.1)).toBe(true);
    expect(fractions).toHaveLength(2 * 6 + 1);
    net.dispose();
  });

  it('drops 30% of the units in training, with masks the seed and the training pass decide, and none in eval', () => {
    const logits = (net: RefilledWrn, training: boolean) =>
      tf.tidy(() => net.apply(tf.ones([2, 8, 8, 3]) as tf.Tensor4D, { training }).logits.arraySync());
    const [a, b] = [refilledWrn('wrn_16_1_refilled', options('dropout-a')), refilledWrn('wrn_16_1_refilled', options('dropout-b'))];
    const passesA = [logits(a, true), logits(a, true)];
    const passesB = [logits(b, true), logits(b, true)];
    expect(passesB).toEqual(passesA);
    expect(passesA[1]).not.toEqual(passesA[0]);
    expect(logits(a, false)).toEqual(logits(a, false));
    a.dispose();
    b.dispose();
    const mask = keyedDropoutMask({ seed: 3, pass: 0, layer: 0 }, [4, 16, 16, 8], REFILLED_DROPOUT_RATE);
    const values = mask.dataSync();
    const dropped = values.filter((v) => v === 0).length / values.length;
    expect(dropped).toBeGreaterThan(0.27);
    expect(dropped).toBeLessThan(0.33);
    expect(new Set(values)).toEqual(new Set([0, Math.fround(1 / 0.7)]));
    mask.dispose();
  });

  it('refuses a dropout rate outside [0, 1), naming it', () => {
    expect(() => keyedDropoutMask({ seed: 1, pass: 0, layer: 0 }, [1, 1, 1, 1], 1)).toThrow('Dropout rate must be in [0, 1), got 1');
    expect(() => keyedDropoutMask({ seed: 1, pass: 0, layer: 0 }, [1, 1, 1, 1], -0.1)).toThrow('got -0.1');
  });
});
