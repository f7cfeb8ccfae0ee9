import { describe, expect, it } from 'vitest';
import { REFERENCE_STEP_DECAY, learningRate, milestoneEpochs, milestonesProblem, parseMilestones, stepDecayOf, type StepDecay } from '../../src/core/schedule';

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

  it('cosine with a floor anneals to that fraction of the base rate (PyTorch eta_min; REFILLED stage 1: a tenth)', () => {
    const options = { schedule: 'cosine' as const, baseLr: 0.1, epochs: 2, stepsPerEpoch: 50, cosineFloor: 0.1 };
    expect(learningRate(options, 0, 0)).toBeCloseTo(0.1, 15);
    expect(learningRate(options, 1, 0)).toBeCloseTo(0.055, 15);
    expect(learningRate(options, 1, 49)).toBeGreaterThan(0.01);
    expect(learningRate(options, 1, 49)).toBeLessThan(0.0101);
  });

  it('constant stays put', () => {
    expect(learningRate({ schedule: 'constant', baseLr: 0.01, epochs: 3, stepsPerEpoch: 3 }, 2, 2)).toBe(0.01);
  });
});

describe('step decay at milestones', () => {
  const step = (epochs: number, stepDecay?: StepDecay) => (epoch: number) => learningRate({ schedule: 'step', baseLr: 1, epochs, stepsPerEpoch: 5, stepDecay }, epoch, 0);

  it('decays by the factor after each milestone epoch (1-based), as the reference counts them', () => {
    const lr = step(24, stepDecayOf({ milestones: '15,18,21', decay: 0.1, epochs: 24 }));
    // 0-based epoch 14 is the 15th epoch: not yet decayed; the 16th is.
    expect([14, 15, 17, 18, 20, 21, 23].map(lr)).toEqual([1, 0.1, 0.1, 0.1 ** 2, 0.1 ** 2, 0.1 ** 3, 0.1 ** 3]);
    const refilled = step(20, stepDecayOf({ milestones: '10,14,18', decay: 0.2, epochs: 20 }));
    expect(refilled(9)).toBe(1);
    expect(refilled(10)).toBeCloseTo(0.2, 12);
    expect(refilled(19)).toBeCloseTo(0.008, 12);
  });

  it('no milestones: 62.5/75/87.5% of the epochs, the same rates as before milestones existed', () => {
    for (const epochs of [1, 3, 4, 8, 10, 24, 30, 240]) {
      const before = (epoch: number) => 0.1 ** [150 / 240, 180 / 240, 210 / 240].filter((m) => Math.round(m * epochs) < epoch + 1).length;
      const now = step(epochs, stepDecayOf({ milestones: '', decay: 0.1, epochs }));
      const unset = step(epochs);
      for (let e = 0; e < epochs; e++) {
        expect(now(e)).toBe(before(e));
        expect(unset(e)).toBe(before(e));
      }
    }
  });

  it('a phase of other length (a teacher, an early stage) decays at the same fractions of its epochs', () => {
    const decay = stepDecayOf({ milestones: '15,18,21', decay: 0.1, epochs: 24 });
    expect(milestoneEpochs(decay, 24)).toEqual([15, 18, 21]);
    expect(milestoneEpochs(decay, 48)).toEqual([30, 36, 42]);
    expect(milestoneEpochs(decay, 8)).toEqual([5, 6, 7]);
    expect(milestoneEpochs(REFERENCE_STEP_DECAY, 24)).toEqual([15, 18, 21]);
  });

  // The same table is in python/tests/test_config.py (test_learning_rate_matches_the_page): both must agree.
  it('matches the table the Python package is tested against', () => {
    for (const row of SCHEDULE_TABLE) {
      const lr = learningRate({ schedule: row.schedule, baseLr: 0.05, epochs: row.epochs, stepsPerEpoch: 4, stepDecay: stepDecayOf(row) }, row.epoch, row.step);
      expect(lr).toBeCloseTo(row.lr, 15);
    }
  });
});

describe('milestones', () => {
  it('accepts ascending whole epochs within the run, and none', () => {
    expect(milestonesProblem('', 24)).toBeUndefined();
    expect(milestonesProblem('15,18,21', 24)).toBeUndefined();
    expect(milestonesProblem('24', 24)).toBeUndefined();
    expect(parseMilestones('15,18,21')).toEqual([15, 18, 21]);
    expect(parseMilestones('')).toEqual([]);
  });

  it('refuses each bad list with its reason', () => {
    expect(milestonesProblem('15;18', 24)).toBe('milestones=15;18 should be whole epochs separated by commas, e.g. 15,18,21 (at most 10)');
    expect(milestonesProblem('1.5', 24)).toMatch(/whole epochs/);
    expect(milestonesProblem('15,,18', 24)).toMatch(/whole epochs/);
    expect(milestonesProblem('15,30', 24)).toBe('milestones=15,30: epoch 30 is not within 1..24 (the student epochs)');
    expect(milestonesProblem('0,5', 24)).toMatch(/epoch 0 is not within 1..24/);
    expect(milestonesProblem('18,15', 24)).toBe('milestones=18,15 must rise from one epoch to the next');
    expect(milestonesProblem('15,15', 24)).toMatch(/must rise/);
  });
});

/** Learning rates at (epoch, step) with base 0.05 and 4 steps per epoch; also in python/tests/test_config.py. */
const SCHEDULE_TABLE = [
  { schedule: 'step', epochs: 24, milestones: '15,18,21', decay: 0.1, epoch: 14, step: 3, lr: 0.05 },
  { schedule: 'step', epochs: 24, milestones: '15,18,21', decay: 0.1, epoch: 15, step: 0, lr: 0.005 },
  { schedule: 'step', epochs: 24, milestones: '15,18,21', decay: 0.1, epoch: 23, step: 3, lr: 0.05 * 0.1 ** 3 },
  { schedule: 'step', epochs: 20, milestones: '10,14,18', decay: 0.2, epoch: 14, step: 0, lr: 0.05 * 0.2 ** 2 },
  { schedule: 'step', epochs: 10, milestones: '', decay: 0.1, epoch: 6, step: 1, lr: 0.005 },
  { schedule: 'step', epochs: 10, milestones: '', decay: 0.5, epoch: 9, step: 1, lr: 0.05 * 0.5 ** 3 },
  { schedule: 'step', epochs: 4, milestones: '', decay: 0.1, epoch: 2, step: 0, lr: 0.05 },
  { schedule: 'step', epochs: 4, milestones: '', decay: 0.1, epoch: 3, step: 0, lr: 0.05 * 0.1 ** 2 }, // 2.5 rounds half up to 3
  { schedule: 'cosine', epochs: 2, milestones: '1', decay: 0.1, epoch: 1, step: 0, lr: 0.025 },
  { schedule: 'constant', epochs: 3, milestones: '', decay: 0.1, epoch: 2, step: 3, lr: 0.05 },
] as const;
