/**
 * Time left for a run: work is counted in predicted seconds (from the measured step costs), and the
 * prediction is rescaled by how fast the run actually goes, so the estimate corrects itself as it runs.
 */
export class ProgressClock {
  readonly #start = performance.now();
  #predictedDone = 0;
  #imagesDone = 0;

  constructor(private readonly predictedTotal: number) {}

  advance(predictedSeconds: number): void {
    this.#predictedDone += predictedSeconds;
  }

  reading(): { fraction: number; secondsLeft: number | null } {
    const elapsed = (performance.now() - this.#start) / 1000;
    if (this.predictedTotal <= 0 || this.#predictedDone <= 0) return { fraction: 0, secondsLeft: null };
    const fraction = Math.min(1, this.#predictedDone / this.predictedTotal);
    const speed = elapsed / this.#predictedDone; // actual seconds per predicted second
    return { fraction, secondsLeft: Math.max(0, (this.predictedTotal - this.#predictedDone) * speed) };
  }

  /** Training images per second across all learners, counting `images` more now. */
  rate(images: number): number {
    this.#imagesDone += images;
    const elapsed = (performance.now() - this.#start) / 1000;
    return elapsed > 0 ? this.#imagesDone / elapsed : 0;
  }
}
