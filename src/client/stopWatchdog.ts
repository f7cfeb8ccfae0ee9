/**
 * Stop always stops: the worker answers Stop as soon as it reads the message, which it cannot do while a
 * synchronous stretch holds it (a step on the CPU backend, a shader compile, a loss that loops forever).
 * The watchdog gives it a grace period sized by the slowest step seen so far and, when that passes without
 * an answer, calls `onTimeout` so the page can end the worker and start another.
 */

/** Grace before any step was timed (the first steps compile shaders, seconds each when emulated). */
export const FIRST_STEP_GRACE_MS = 60_000;
/** The least grace, and how many of the slowest step's durations are added to it. */
export const MIN_GRACE_MS = 5_000;
export const SLOW_STEPS_OF_GRACE = 3;
/** The most a person waits, however slow the steps. */
export const MAX_GRACE_MS = 5 * 60_000;

export interface WatchdogClock {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const SYSTEM_CLOCK: WatchdogClock = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class StopWatchdog {
  #slowestStepMs: number | null = null;
  #timer: unknown = null;

  constructor(
    private readonly onTimeout: (graceMs: number) => void,
    private readonly clock: WatchdogClock = SYSTEM_CLOCK,
  ) {}

  /** A new run: nothing is known about its steps yet. */
  runStarted(): void {
    this.answered();
    this.#slowestStepMs = null;
  }

  /** A step took `seconds` in the worker (its first ones include compiling shaders, so they count too). */
  stepTook(seconds: number): void {
    this.#slowestStepMs = Math.max(this.#slowestStepMs ?? 0, seconds * 1000);
  }

  graceMs(): number {
    if (this.#slowestStepMs === null) return FIRST_STEP_GRACE_MS;
    return Math.min(MAX_GRACE_MS, MIN_GRACE_MS + SLOW_STEPS_OF_GRACE * this.#slowestStepMs);
  }

  /** Stop was sent: the worker has `graceMs()` to answer. */
  stopRequested(): void {
    if (this.#timer !== null) return;
    const grace = this.graceMs();
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = null;
      this.onTimeout(grace);
    }, grace);
  }

  /** The worker answered (or the run ended): no timeout. */
  answered(): void {
    if (this.#timer === null) return;
    this.clock.clearTimeout(this.#timer);
    this.#timer = null;
  }
}
