/** Learning-rate schedules (pure). */

export type LrSchedule = 'constant' | 'step' | 'cosine';

export interface ScheduleOptions {
  readonly schedule: LrSchedule;
  readonly baseLr: number;
  readonly epochs: number;
  readonly stepsPerEpoch: number;
}

/**
 * Milestones of the RepDistiller CIFAR recipe (x0.1 at epochs 150, 180, 210 of 240), as fractions of the
 * run so that a 10-epoch demo decays at the same relative points.
 */
export const STEP_MILESTONES = [150 / 240, 180 / 240, 210 / 240] as const;

/** Learning rate for 0-based (epoch, step). Step decay changes per epoch, cosine per step. */
export function learningRate(options: ScheduleOptions, epoch: number, step: number): number {
  const { schedule, baseLr, epochs, stepsPerEpoch } = options;
  switch (schedule) {
    case 'constant':
      return baseLr;
    case 'step': {
      // Epoch e (1-based) is decayed once per milestone strictly below it, as in the reference.
      const decays = STEP_MILESTONES.filter((m) => Math.round(m * epochs) < epoch + 1).length;
      return baseLr * 0.1 ** decays;
    }
    case 'cosine': {
      const total = Math.max(1, epochs * stepsPerEpoch);
      const t = (epoch * stepsPerEpoch + step) / total;
      return 0.5 * baseLr * (1 + Math.cos(Math.PI * t));
    }
  }
}
