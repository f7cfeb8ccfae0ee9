import { describe, expect, it } from 'vitest';
import { keyedRng } from '../../src/core/random';
import { fitTemperature, reliabilityBins } from '../../src/core/calibration';
import { negativeLogLikelihood, softmaxRows } from '../../src/core/metrics';
import { PROTOCOL_BINS, calibrationFor, calibrationOf, heldOutMayBeTrainingImages, heldOutOf, reliabilityCsv, reliabilityTraces } from '../../src/viz/reliability';

/** Over-confident logits: correct-ish predictions scaled up 4x. */
function overconfident(n: number, classes: number) {
  const rng = keyedRng(3, 'calibration');
  const logits = new Float32Array(n * classes);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % classes;
    for (let c = 0; c < classes; c++) logits[i * classes + c] = 4 * (rng.normal() + (c === labels[i] ? 1.2 : 0));
  }
  return { logits, labels };
}

describe('calibration panel numbers', () => {
  it('temperature scaling lowers the ECE and NLL of over-confident predictions', () => {
    const { logits, labels } = overconfident(600, 5);
    const c = calibrationOf(logits, labels, 5, 15);
    expect(c.temperature).toBeGreaterThan(1.5);
    expect(c.scaled.ece).toBeLessThan(c.raw.ece);
    expect(c.scaled.nll).toBeLessThan(c.raw.nll);
    expect(c.raw.bins).toHaveLength(15);
    expect(c.raw.bins.reduce((s, b) => s + b.count, 0)).toBe(600);
  });

  it('traces and CSV carry the bins', () => {
    const { logits, labels } = overconfident(100, 4);
    const c = calibrationOf(logits, labels, 4, 10);
    const traces = reliabilityTraces(c.raw);
    expect(traces).toHaveLength(4);
    const csv = reliabilityCsv(c.raw).trim().split('\n');
    expect(csv[0]).toBe('lo,hi,count,confidence,accuracy');
    expect(csv).toHaveLength(11);
  });
});

describe('calibration protocols', () => {
  const numClasses = 5;
  const test = overconfident(300, numClasses);
  const heldOut = overconfident(60, numClasses);
  const result = { testLogits: test.logits, testLabels: test.labels, heldOutLogits: heldOut.logits, heldOutLabels: heldOut.labels };

  it('held-out: T is fitted on the hold-out and the scores are the test images\u2019, as a direct computation gives', () => {
    const c = calibrationFor(result, numClasses, 15, 'held-out')!;
    const t = fitTemperature(heldOut.logits, heldOut.labels, numClasses);
    expect(c.temperature).toBe(t);
    const probs = softmaxRows(test.logits, numClasses, t);
    expect(c.scaled.ece).toBe(reliabilityBins(probs, test.labels, numClasses, 15).ece);
    expect(c.scaled.nll).toBe(negativeLogLikelihood(probs, test.labels, numClasses));
    expect(c.raw.ece).toBe(reliabilityBins(softmaxRows(test.logits, numClasses), test.labels, numClasses, 15).ece);
    expect(c.temperature).not.toBe(fitTemperature(test.logits, test.labels, numClasses));
  });

  it("the seed paper's protocol fits and scores T on the test images", () => {
    const c = calibrationFor(result, numClasses, PROTOCOL_BINS.test, 'test')!;
    expect(PROTOCOL_BINS.test).toBe(20);
    expect(c.temperature).toBe(fitTemperature(test.logits, test.labels, numClasses));
    expect(c.raw.bins).toHaveLength(20);
  });

  it('a run without a hold-out has no held-out calibration', () => {
    const old: Parameters<typeof calibrationFor>[0] = { testLogits: test.logits, testLabels: test.labels };
    expect(heldOutOf(old)).toBeNull();
    expect(calibrationFor(old, numClasses, 15, 'held-out')).toBeNull();
    expect(calibrationFor(old, numClasses, 20, 'test')).not.toBeNull();
  });

  it('warns only for a teacher trained before the run (saved or ready), whose training images may include the hold-out', () => {
    const learner = (role: 'teacher' | 'scratch' | 'student') => ({ key: role, role, label: role, model: 'resnet20' as const, method: 'scratch' as const, parameters: 1 });
    expect(heldOutMayBeTrainingImages({ learner: learner('teacher'), reused: true, epochs: 0 })).toBe(true);
    // Reused from an earlier run of the session with the same settings: same seed, same hold-out, left out then too.
    expect(heldOutMayBeTrainingImages({ learner: learner('teacher'), reused: true, epochs: 15 })).toBe(false);
    expect(heldOutMayBeTrainingImages({ learner: learner('teacher'), reused: false, epochs: 15 })).toBe(false);
    expect(heldOutMayBeTrainingImages({ learner: learner('student'), reused: false, epochs: 15 })).toBe(false);
  });
});
