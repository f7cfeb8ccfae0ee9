/**
 * Pause, resume, single step and stop for a running loop. The loop awaits `gate()` before every batch,
 * so each command takes effect within one batch.
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

  constructor(private readonly onStateChange: (state: ControlState) => void = () => {}) {}

  get state(): ControlState {
    return this.#state;
  }

  pause(): void {
    if (this.#state !== 'running') return;
    this.#state = 'paused';
    this.onStateChange('paused');
  }

  resume(): void {
    if (this.#state !== 'paused') return;
    this.#state = 'running';
    this.onStateChange('running');
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
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  #release(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}
