import { describe, expect, it } from 'vitest';
import { redrawDelay } from '../../src/viz/redrawPacing';

describe('redrawDelay', () => {
  it('waits out the minimum interval after a cheap redraw', () => {
    expect(redrawDelay(1100, 1000, 30, 400)).toBe(300);
    expect(redrawDelay(1500, 1000, 30, 400)).toBe(0);
  });

  it('spaces expensive redraws so that they take at most a fifth of the main thread', () => {
    // 200 ms to draw: the next may start 1 s after the last began, not 400 ms.
    expect(redrawDelay(1400, 1000, 200, 400)).toBe(600);
    expect(redrawDelay(2000, 1000, 200, 400)).toBe(0);
  });

  it('draws at once the first time (nothing drawn yet)', () => {
    expect(redrawDelay(5000, 0, 0, 400)).toBe(0);
  });
});
