import { describe, expect, it } from 'vitest';
import { holdoutCount, holdoutIndices } from '../../src/core/holdout';

const labelsOf = (perClass: readonly number[]) => perClass.flatMap((n, c) => new Array<number>(n).fill(c));

describe('hold-out split', () => {
  it('holds out 10% of the training images, rounded, or none when off', () => {
    expect(holdoutCount(5085, true)).toBe(509);
    expect(holdoutCount(128, true)).toBe(13);
    expect(holdoutCount(16, true)).toBe(2);
    expect(holdoutCount(5085, false)).toBe(0);
  });

  it('is class-balanced', () => {
    const labels = labelsOf([50, 50, 50, 50]);
    const chosen = holdoutIndices(labels, 4, 20, 1);
    const perClass = [0, 0, 0, 0];
    for (const i of chosen) perClass[labels[i]!]!++;
    expect(perClass).toEqual([5, 5, 5, 5]);
  });

  it('spreads a remainder and skips classes that run out', () => {
    const labels = labelsOf([10, 1, 10]);
    const chosen = holdoutIndices(labels, 3, 7, 2);
    const perClass = [0, 0, 0];
    for (const i of chosen) perClass[labels[i]!]!++;
    expect(perClass.reduce((a, b) => a + b)).toBe(7);
    expect(perClass[1]).toBe(1);
    expect(Math.abs(perClass[0]! - perClass[2]!)).toBeLessThanOrEqual(1);
  });

  it('is a pure function of the seed: ascending, distinct, the same every call, another with another seed', () => {
    const labels = labelsOf([40, 40, 40]);
    const a = holdoutIndices(labels, 3, 12, 7);
    expect(holdoutIndices(labels, 3, 12, 7)).toEqual(a);
    expect(new Set(a).size).toBe(12);
    expect([...a]).toEqual([...a].sort((x, y) => x - y));
    expect(holdoutIndices(labels, 3, 12, 8)).not.toEqual(a);
  });
});
