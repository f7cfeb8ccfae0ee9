/**
 * The check page's step comparison, in Node on the CPU backend: one step of a method is reproducible from
 * its seeds (so two backends start from the same weights and batch), and the comparison fails on any term,
 * gradient or BatchNorm statistic that moves past 1e-3.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { methodStepNumbers, type StepNumbers } from '../../src/training/methodStep';
import { STEP_TOLERANCE, stepComparisons } from '../../src/workers/backendCheck';

const failures = (got: StepNumbers, expected: StepNumbers) => stepComparisons(got, expected).filter((c) => !c.pass).map((c) => c.what);

describe('one training step for the backend check', () => {
  it('is the same numbers twice from the same seeds, and leaves no tensor behind', async () => {
    const before = tf.memory().numTensors;
    const [a] = await methodStepNumbers('kd');
    const [b] = await methodStepNumbers('kd');
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(a!.terms).sort()).toEqual(['ce', 'kd']);
    expect(a!.gradientNorm).toBeGreaterThan(0);
    expect(Object.keys(a!.statistics)).toHaveLength(6); // tiny-cnn: 3 BatchNorm layers, mean and variance each
    expect(b).toEqual(a);
    const comparisons = stepComparisons(b!, a!);
    expect(comparisons.map((c) => c.what)).toEqual([
      'kd: loss terms',
      'kd: term ce',
      'kd: term kd',
      'kd: total loss',
      'kd: gradient norm',
      'kd: BatchNorm running statistics',
    ]);
    expect(comparisons.every((c) => c.pass)).toBe(true);
  });

  it('fails on a term, the gradient norm or one BatchNorm value off by more than the tolerance', async () => {
    const [step] = await methodStepNumbers('kd');
    const off = (value: number) => value + 2 * STEP_TOLERANCE * Math.max(1, Math.abs(value));
    expect(failures({ ...step!, terms: { ...step!.terms, kd: off(step!.terms.kd!) } }, step!)).toEqual(['kd: term kd']);
    expect(failures({ ...step!, gradientNorm: off(step!.gradientNorm) }, step!)).toEqual(['kd: gradient norm']);
    const [name, values] = Object.entries(step!.statistics)[3]!;
    const moved = Float32Array.from(values, (v, i) => (i === 5 ? off(v) : v));
    expect(failures({ ...step!, statistics: { ...step!.statistics, [name]: moved } }, step!)).toEqual(['kd: BatchNorm running statistics']);
    // A term only one backend has fails by name, and a missing one as not a number.
    const { kd, ...withoutKd } = step!.terms;
    expect(kd).toBeDefined();
    expect(failures({ ...step!, terms: withoutKd }, step!)).toEqual(['kd: loss terms', 'kd: term kd']);
    // A step that moves nothing (zero gradient) compares nothing, so it fails too.
    expect(failures({ ...step!, gradientNorm: 0 }, { ...step!, gradientNorm: 0 })).toEqual(['kd: gradient norm']);
    // Within the tolerance passes.
    expect(failures({ ...step!, gradientNorm: step!.gradientNorm + 0.5 * STEP_TOLERANCE }, step!)).toEqual([]);
  });

  it('steps REFILLED through its embedding stage, then its main stage', async () => {
    const steps = await methodStepNumbers('refilled');
    expect(steps.map((s) => [s.label, Object.keys(s.terms).sort()])).toEqual([
      ['refilled (stage embedding)', ['triplet']],
      ['refilled (main stage)', ['ce', 'kd']],
    ]);
    for (const s of steps) expect(s.gradientNorm).toBeGreaterThan(0);
  });
});
