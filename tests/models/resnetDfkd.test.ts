// The data-free KD codes' CIFAR ResNet-18/34 (TA-DFKD networks/resnet.py): exact sizes, block layout and
// PyTorch's default init. The Network contract is checked in zoo.test.ts; names against the reference in
// python/tests/test_reference_names.py.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { dfkdResNet, isDfkdResNet, type DfkdResNetId } from '../../src/models/resnetDfkd';
import { isResNet } from '../../src/models/resnet';

/** Trainable parameters of TA-DFKD's ResNet(BasicBlock, blocks) for `classes`, summed from its layer shapes. */
function referenceCount(blocks: readonly number[], classes: number): number {
  const convBn = (cin: number, cout: number, k: number) => k * k * cin * cout + 2 * cout; // bias-free conv, BN gamma and beta
  let total = convBn(3, 64, 3);
  let cin = 64;
  [64, 128, 256, 512].forEach((planes, s) => {
    for (let b = 0; b < blocks[s]!; b++) {
      const blockIn = b === 0 ? cin : planes;
      total += convBn(blockIn, planes, 3) + convBn(planes, planes, 3);
      if ((b === 0 && s > 0) || blockIn !== planes) total += convBn(blockIn, planes, 1);
    }
    cin = planes;
  });
  return total + cin * classes + classes;
}

const CASES: readonly { id: DfkdResNetId; blocks: readonly number[]; params: number }[] = [
  { id: 'resnet18_dfkd', blocks: [2, 2, 2, 2], params: 11_173_962 },
  { id: 'resnet34_dfkd', blocks: [3, 4, 6, 3], params: 21_282_122 },
];

describe("the data-free KD codes' ResNets", () => {
  it.each(CASES)('$id: $params trainable parameters (the reference architecture\'s), blocks $blocks, projections where stages start', (c) => {
    expect(referenceCount(c.blocks, 10)).toBe(c.params);
    const net = dfkdResNet(c.id, { numClasses: 10, name: `${c.id}-count`, seed: 1 });
    expect(net.params.trainableCount).toBe(c.params);
    expect(isDfkdResNet(net) && !isResNet(net)).toBe(true);
    expect(net.layers.stages.map((blocks) => blocks.length)).toEqual(c.blocks);
    expect(net.layers.stages.map((blocks) => blocks.map((block) => block.shortcut !== null))).toEqual(
      c.blocks.map((count, s) => Array.from({ length: count }, (_, b) => b === 0 && s > 0)),
    );
    expect(net.layers.stages.map((blocks) => blocks[0]!.conv1.conv.stride)).toEqual([1, 2, 2, 2]);
    expect(net.layers.stem.conv.kernel.shape).toEqual([3, 3, 3, 64]);
    expect(net.layers.fc.weight.shape).toEqual([512, 10]);
    net.dispose();
  });

  it("keeps PyTorch's default init, U(±1/sqrt(fan_in)) kernels and linear layer, as the reference never re-initialises", () => {
    const net = dfkdResNet('resnet18_dfkd', { numClasses: 10, name: 'init', seed: 2 });
    const uniformWithin = (values: Float32Array, bound: number) => {
      const max = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const variance = values.reduce((s, v) => s + v * v, 0) / values.length;
      // U(-b, b): every value within b, variance b^2 / 3 (Kaiming's would be 2 / fan_out: 3x to 12x larger here).
      return max <= bound && Math.abs(variance / (bound * bound / 3) - 1) < 0.05;
    };
    const block = net.layers.stages[1]![0]!;
    expect(uniformWithin(block.conv1.conv.kernel.dataSync() as Float32Array, 1 / Math.sqrt(64 * 9))).toBe(true);
    expect(uniformWithin(block.shortcut!.conv.kernel.dataSync() as Float32Array, 1 / Math.sqrt(64))).toBe(true);
    expect(uniformWithin(net.layers.fc.weight.dataSync() as Float32Array, 1 / Math.sqrt(512))).toBe(true);
    expect(Array.from(block.conv1.bn.gamma.dataSync()).every((g) => g === 1)).toBe(true);
    net.dispose();
  });

  it('a block is relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)) (eval mode)', () => {
    const net = dfkdResNet('resnet18_dfkd', { numClasses: 10, name: 'block', seed: 4 });
    const block = net.layers.stages[2]![0]!;
    const gap = tf.tidy(() => {
      const x = tf.randomNormal([1, 8, 8, 128], 0, 1, 'float32', 5) as tf.Tensor4D;
      const expected = tf.relu(tf.add(block.conv2.apply(tf.relu(block.conv1.apply(x, false)), false), block.shortcut!.apply(x, false)));
      return tf.max(tf.abs(tf.sub(block.apply(x, false), expected))).dataSync()[0]!;
    });
    expect(gap).toBeLessThan(1e-5);
    net.dispose();
  });
});
