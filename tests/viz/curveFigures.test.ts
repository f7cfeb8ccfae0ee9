import { describe, expect, it } from 'vitest';
import { diagnosticFigure, smooth } from '../../src/viz/curveFigures';

const points = (...y: number[]) => ({ x: y.map((_, i) => (i + 1) * 16), y });

describe('diagnosticFigure', () => {
  it('puts teacher weights on one axis, coloured by teacher', () => {
    const { data, layout } = diagnosticFigure({ 'logit weight teacher1': points(0.5, 0.6), 'logit weight teacher2': points(0.5, 0.4) });
    expect(data).toHaveLength(2);
    expect(data.map((d) => (d as { yaxis?: string }).yaxis)).toEqual([undefined, undefined]);
    expect((data[0] as { line: { color: string } }).line.color).not.toBe((data[1] as { line: { color: string } }).line.color);
    expect(layout.yaxis?.title).toEqual({ text: 'weight' });
  });

  it('gives each other diagnostic its own row and axis, since their scales differ', () => {
    const { data, layout } = diagnosticFigure({ selected: points(0.6, 0.7), 'generator loss': points(160, 150) });
    expect(data.map((d) => (d as { yaxis?: string }).yaxis)).toEqual(['y', 'y2']);
    const l = layout as Record<string, { domain?: number[]; title?: { text: string } }>;
    expect(l.yaxis?.title?.text).toBe('selected');
    expect(l.yaxis2?.title?.text).toBe('generator loss');
    // Rows do not overlap and stay inside the figure.
    const [a0, a1] = l.yaxis!.domain!;
    const [b0, b1] = l.yaxis2!.domain!;
    expect(b1).toBeLessThan(a0!);
    expect(Math.min(a0!, b0!)).toBeGreaterThanOrEqual(-1e-9);
    expect(Math.max(a1!, b1!)).toBeLessThanOrEqual(1 + 1e-9);
  });
});

describe('smooth', () => {
  it('is an exponential moving average starting at the first value', () => {
    expect(smooth([2, 2, 2])).toEqual([2, 2, 2]);
    expect(smooth([0, 10], 0.5)).toEqual([0, 5]);
  });
});
