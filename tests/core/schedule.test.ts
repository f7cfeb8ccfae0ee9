import { describe, expect, it } from 'vitest';
import { learningRate } from '../../src/core/schedule';

describe('learningRate', () => {
  it('step schedule decays x0.1 after 150/180/210 of 240 epochs (epoch 151, 1-based, is the first decayed)', () => {
    const options = { schedule: 'step' as const, baseLr: 0.05, epochs: 240, stepsPerEpoch: 10 };
    expect(learningRate(options, 149, 0)).toBeCloseTo(0.05);
    expect(learningRate(options, 150, 0)).toBeCloseTo(0.005);
    expect(learningRate(options, 180, 0)).toBeCloseTo(0.0005);
    expect(learningRate(options, 239, 9)).toBeCloseTo(0.00005);
  });

  it('cosine starts at the base rate and falls to near zero by the last step', () => {
    const options = { schedule: 'cosine' as const, baseLr: 0.1, epochs: 2, stepsPerEpoch: 50 };
    expect(learningRate(options, 0, 0)).toBeCloseTo(0.1);
    expect(learningRate(options, 1, 0)).toBeCloseTo(0.05);
    expect(learningRate(options, 1, 49)).toBeLessThan(0.001);
  });

  it('constant stays put', () => {
    expect(learningRate({ schedule: 'constant', baseLr: 0.01, epochs: 3, stepsPerEpoch: 3 }, 2, 2)).toBe(0.01);
  });
});
