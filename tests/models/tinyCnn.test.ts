import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { tinyCnn } from '../../src/models/tinyCnn';

describe('tinyCnn', () => {
  it('returns logits and the standard feature taps', () => {
    const net = tinyCnn({ numClasses: 10, name: 't', seed: 1 });
    const out = tf.tidy(() => {
      const o = net.apply(tf.zeros([2, 32, 32, 3]), { training: false });
      return { logits: o.logits.shape, stem: o.features.stem.shape, stages: o.features.stages.map((s) => s.shape), pen: o.features.penultimate.shape };
    });
    expect(out.logits).toEqual([2, 10]);
    expect(out.stem).toEqual([2, 32, 32, 16]);
    expect(out.stages).toEqual([[2, 16, 16, 32], [2, 8, 8, 64]]);
    expect(out.pen).toEqual([2, 64]);
    expect(net.params.trainableCount).toBe(24346);
    net.dispose();
  });
});
