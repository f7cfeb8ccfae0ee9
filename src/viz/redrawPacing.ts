/**
 * When a chart may redraw next. Data can change ten times a second while training; a chart redraws at
 * most every `minIntervalMs`, and never spends more than `1 / DUTY_DIVISOR` of the main thread on itself:
 * a redraw that took 200 ms (a slow machine, or the CPU shared with an emulated GPU) waits 1 s before the
 * next, so the page keeps answering clicks however slow the figure is.
 */
const DUTY_DIVISOR = 5;

/** Milliseconds from `now` until the next redraw may start, given when the last one started and how long it took. */
export function redrawDelay(now: number, lastStart: number, lastCostMs: number, minIntervalMs: number): number {
  const interval = Math.max(minIntervalMs, DUTY_DIVISOR * lastCostMs);
  return Math.max(0, lastStart + interval - now);
}
