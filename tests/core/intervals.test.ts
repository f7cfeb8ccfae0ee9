import { describe, expect, it } from 'vitest';
import { includesZero, pairedBootstrap, regularizedIncompleteBeta, sortedQuantile, studentTCdf, studentTQuantile, tInterval } from '../../src/core/intervals';

describe('pairedBootstrap', () => {
  it('gives a zero-width interval at 0 when both models predict identically', () => {
    const scores = Array.from({ length: 500 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const interval = pairedBootstrap(scores, scores, { seed: 1 });
    expect(interval).toEqual({ estimate: 0, lo: 0, hi: 0, level: 0.95 });
    expect(includesZero(interval)).toBe(true);
  });

  it('gives a zero-width interval when every pair differs by the same amount', () => {
    const ones = new Array(200).fill(1);
    const zeros = new Array(200).fill(0);
    expect(pairedBootstrap(ones, zeros, { seed: 3 })).toMatchObject({ estimate: 1, lo: 1, hi: 1 });
  });

  it('matches the closed form of a known difference: p ± 1.96 sqrt(p(1 − p)/n)', () => {
    // a is right on every image, b wrong on 100 of 1000: the differences are Bernoulli(0.1).
    const n = 1000;
    const a = new Array(n).fill(1);
    const b = Array.from({ length: n }, (_, i) => (i < 100 ? 0 : 1));
    const interval = pairedBootstrap(a, b, { seed: 11 });
    const half = 1.959964 * Math.sqrt((0.1 * 0.9) / n); // 0.0186
    expect(interval.estimate).toBeCloseTo(0.1, 12);
    expect(interval.lo).toBeCloseTo(0.1 - half, 2);
    expect(interval.hi).toBeCloseTo(0.1 + half, 2);
    expect(Math.abs(interval.hi - interval.lo - 2 * half)).toBeLessThan(0.006);
    expect(includesZero(interval)).toBe(false);
  });

  it('pairs the images: a shared per-image effect cancels, so the paired interval is narrower than an unpaired one', () => {
    const n = 400;
    // Both models get the easy half right and the hard half wrong; a also gets 20 hard ones right.
    const b = Array.from({ length: n }, (_, i) => (i < n / 2 ? 1 : 0));
    const a = b.map((v, i) => (i >= n / 2 && i < n / 2 + 20 ? 1 : v));
    const interval = pairedBootstrap(a, b, { seed: 5 });
    const unpairedHalf = 1.96 * Math.sqrt((0.55 * 0.45 + 0.5 * 0.5) / n);
    expect(interval.hi - interval.lo).toBeLessThan(unpairedHalf);
  });

  it('is fixed by its seed and purpose, and differs with another seed', () => {
    const a = Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? 1 : 0));
    const b = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const first = pairedBootstrap(a, b, { seed: 42, purpose: 'vs-scratch' });
    expect(pairedBootstrap(a, b, { seed: 42, purpose: 'vs-scratch' })).toEqual(first);
    expect(pairedBootstrap(a, b, { seed: 43, purpose: 'vs-scratch' })).not.toEqual(first);
  });

  it('refuses unpaired or empty samples', () => {
    expect(() => pairedBootstrap([1, 0], [1], { seed: 1 })).toThrow(/equal lengths/);
    expect(() => pairedBootstrap([], [], { seed: 1 })).toThrow(/at least one/);
  });
});

describe('sortedQuantile', () => {
  it('interpolates between order statistics (type 7)', () => {
    expect(sortedQuantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(sortedQuantile([1, 2, 3, 4], 0)).toBe(1);
    expect(sortedQuantile([1, 2, 3, 4], 1)).toBe(4);
    expect(sortedQuantile([0, 10], 0.025)).toBeCloseTo(0.25, 12);
  });
});

describe("Student's t", () => {
  it('the incomplete beta matches closed forms', () => {
    expect(regularizedIncompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12); // uniform
    expect(regularizedIncompleteBeta(0.3, 2, 1)).toBeCloseTo(0.09, 12); // x^2
    expect(regularizedIncompleteBeta(0.25, 0.5, 0.5)).toBeCloseTo((2 / Math.PI) * Math.asin(0.5), 12); // arcsine
  });

  it('the CDF matches the closed forms for 1 and 2 degrees of freedom', () => {
    for (const t of [-3, -0.5, 0, 0.7, 4]) {
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 12);
    }
  });

  it('the 97.5% quantiles match published tables, and tend to the normal 1.959964', () => {
    const table: [number, number][] = [[1, 12.7062047], [2, 4.3026527], [3, 3.1824463], [4, 2.7764451], [5, 2.5705818], [9, 2.2621572], [10, 2.2281389], [19, 2.0930241], [30, 2.0422725], [100, 1.9839715]];
    for (const [df, expected] of table) expect(studentTQuantile(0.975, df)).toBeCloseTo(expected, 6);
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.959964, 5);
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.7764451, 6);
    expect(studentTQuantile(0.995, 3)).toBeCloseTo(5.8409093, 6);
  });

  it('tInterval gives mean ± t · sd / sqrt(n)', () => {
    const interval = tInterval([0.5, 0.52, 0.54])!;
    expect(interval.estimate).toBeCloseTo(0.52, 12);
    expect(interval.sd).toBeCloseTo(0.02, 12);
    const half = 4.3026527 * (0.02 / Math.sqrt(3));
    expect(interval.lo).toBeCloseTo(0.52 - half, 6);
    expect(interval.hi).toBeCloseTo(0.52 + half, 6);
    expect(interval.count).toBe(3);
    expect(tInterval([0.3, 0.3])).toMatchObject({ sd: 0, lo: 0.3, hi: 0.3 });
    expect(tInterval([0.5])).toBeNull();
  });
});
