import { describe, expect, it } from 'vitest';
import { keyedRng } from '../../src/core/random';
import { calibrationOf, reliabilityCsv, reliabilityTraces } from '../../src/viz/reliability';

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
