/**
 * Pause, resume, single step and stop for a running loop. The loop awaits `gate()` before every batch,
 * so each command takes effect within one batch. 'paused' is announced when the loop has halted at the
 * gate, not when it is asked to: the batch in flight finishes first, and its progress comes before it.
 */

export class RunStopped extends Error {
  constructor() {
    super('Run stopped');
    this.name = 'RunStopped';
  }
}

export type ControlState = 'running' | 'paused' | 'stopped';

export class RunControl {
  #state: ControlState = 'running';
  #stepsAllowed = 0;
  #wake: (() => void) | null = null;
  /** Whether the loop's halt at the gate has been announced since the last pause. */
  #haltAnnounced = false;

  constructor(private readonly onStateChange: (state: ControlState) => void = () => {}) {}

  get state(): ControlState {
    return this.#state;
  }

  pause(): void {
    if (this.#state !== 'running') return;
    this.#state = 'paused';
    this.#haltAnnounced = false;
  }

  resume(): void {
    if (this.#state !== 'paused') return;
    this.#state = 'running';
    // Resumed before the loop halted: it never stopped, so there is nothing to announce.
    if (this.#haltAnnounced) this.onStateChange('running');
    this.#release();
  }

  /** While paused: run exactly one more batch, then stay paused. */
  step(): void {
    if (this.#state !== 'paused') return;
    this.#stepsAllowed += 1;
    this.#release();
  }

  stop(): void {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    this.onStateChange('stopped');
    this.#release();
  }

  /** Resolves when the next batch may run; throws RunStopped once stopped. */
  async gate(): Promise<void> {
    for (;;) {
      if (this.#state === 'stopped') throw new RunStopped();
      if (this.#state === 'running') return;
      if (this.#stepsAllowed > 0) {
        this.#stepsAllowed -= 1;
        return;
      }
      if (!this.#haltAnnounced) {
        this.#haltAnnounced = true;
        this.onStateChange('paused');
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  #release(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}
