import { describe, expect, it } from 'vitest';
import { formatDuration, LONG_RUN_SECONDS, longRunWarning } from '../../src/ui/format';

describe('run durations', () => {
  it('reads as seconds, minutes and seconds, or hours and minutes', () => {
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(572)).toBe('9 min 32 s');
    expect(formatDuration(2 * 3600 + 5 * 60 + 9)).toBe('2 h 05 min');
    expect(formatDuration(Number.NaN)).toBe('\u2013');
  });

  it('warns about a long run, but not about the default run on a GPU-less 2-core machine (10 min 51 s)', () => {
    expect(longRunWarning(651)).toBeNull();
    expect(longRunWarning(LONG_RUN_SECONDS)).toBeNull();
    expect(longRunWarning(LONG_RUN_SECONDS + 1)).toBe('This is a long run (over 15 minutes): consider fewer epochs, fewer images or a smaller model.');
    expect(longRunWarning(Number.NaN)).toBeNull();
  });
});
