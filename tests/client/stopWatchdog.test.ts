import { describe, expect, it } from 'vitest';
import { FIRST_STEP_GRACE_MS, MAX_GRACE_MS, MIN_GRACE_MS, SLOW_STEPS_OF_GRACE, StopWatchdog, type WatchdogClock } from '../../src/client/stopWatchdog';

/** A clock the test moves by hand; timers fire when it passes them. */
class ManualClock implements WatchdogClock {
  time = 0;
  readonly timers = new Map<number, { at: number; callback: () => void }>();
  #next = 1;
  setTimeout = (callback: () => void, ms: number) => {
    const id = this.#next++;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  };
  clearTimeout = (handle: unknown) => void this.timers.delete(handle as number);
  advance(ms: number): void {
    this.time += ms;
    for (const [id, timer] of [...this.timers]) if (timer.at <= this.time) (this.timers.delete(id), timer.callback());
  }
}

function watchdog() {
  const clock = new ManualClock();
  const timeouts: number[] = [];
  const dog = new StopWatchdog((grace) => timeouts.push(grace), clock);
  return { clock, timeouts, dog };
}

describe('StopWatchdog', () => {
  it('waits the long first-step grace before any step was timed', () => {
    const { clock, timeouts, dog } = watchdog();
    dog.runStarted();
    dog.stopRequested();
    clock.advance(FIRST_STEP_GRACE_MS - 1);
    expect(timeouts).toEqual([]);
    clock.advance(1);
    expect(timeouts).toEqual([FIRST_STEP_GRACE_MS]);
  });

  it('sizes the grace by the slowest step the worker reported', () => {
    const { dog } = watchdog();
    dog.runStarted();
    dog.stepTook(2);
    dog.stepTook(0.5);
    expect(dog.graceMs()).toBe(MIN_GRACE_MS + SLOW_STEPS_OF_GRACE * 2_000);
    dog.runStarted();
    expect(dog.graceMs()).toBe(FIRST_STEP_GRACE_MS); // a new run starts from nothing
  });

  it('caps the grace for very slow steps', () => {
    const { dog } = watchdog();
    dog.runStarted();
    dog.stepTook(600);
    expect(dog.graceMs()).toBe(MAX_GRACE_MS);
  });

  it('does nothing when the worker answers in time, and one timer per stop', () => {
    const { clock, timeouts, dog } = watchdog();
    dog.runStarted();
    dog.stopRequested();
    dog.stopRequested();
    expect(clock.timers.size).toBe(1);
    dog.answered();
    clock.advance(FIRST_STEP_GRACE_MS * 2);
    expect(timeouts).toEqual([]);
  });

  it('a new run forgets the last run’s pending stop', () => {
    const { clock, timeouts, dog } = watchdog();
    dog.runStarted();
    dog.stopRequested();
    dog.runStarted();
    clock.advance(FIRST_STEP_GRACE_MS * 2);
    expect(timeouts).toEqual([]);
  });
});
