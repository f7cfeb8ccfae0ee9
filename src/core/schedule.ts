/** Learning-rate schedules (pure). */

export type LrSchedule = 'constant' | 'step' | 'cosine';

/**
 * Step decay: the rate is multiplied by `factor` after each milestone epoch. Milestones are counted in a run
 * of `of` epochs; a phase of another length (a teacher with other epochs, an early stage) decays at the
 * same fractions of its own epochs, rounded half up.
 */
export interface StepDecay {
  readonly milestones: readonly number[];
  readonly of: number;
  readonly factor: number;
}

/** The RepDistiller and CA-MKD CIFAR recipe: x0.1 after epochs 150, 180 and 210 of 240. */
export const REFERENCE_STEP_DECAY: StepDecay = Object.freeze({ milestones: Object.freeze([150, 180, 210]), of: 240, factor: 0.1 });

export interface ScheduleOptions {
  readonly schedule: LrSchedule;
  readonly baseLr: number;
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  /** For `step`; the reference recipe's milestones and x0.1 when absent. */
  readonly stepDecay?: StepDecay;
  /** For `cosine`: the fraction of `baseLr` it anneals down to (PyTorch's eta_min / lr); 0 when absent. */
  readonly cosineFloor?: number;
}

/** The epochs (1-based) after which a phase of `epochs` epochs decays. */
export function milestoneEpochs(decay: StepDecay, epochs: number): number[] {
  return decay.milestones.map((m) => Math.round((m / decay.of) * epochs));
}

/** Learning rate for 0-based (epoch, step). Step decay changes per epoch, cosine per step. */
export function learningRate(options: ScheduleOptions, epoch: number, step: number): number {
  const { schedule, baseLr, epochs, stepsPerEpoch } = options;
  switch (schedule) {
    case 'constant':
      return baseLr;
    case 'step': {
      const decay = options.stepDecay ?? REFERENCE_STEP_DECAY;
      // Epoch e (1-based) is decayed once per milestone strictly below it, as in the reference.
      const decays = milestoneEpochs(decay, epochs).filter((m) => m < epoch + 1).length;
      return baseLr * decay.factor ** decays;
    }
    case 'cosine': {
      const total = Math.max(1, epochs * stepsPerEpoch);
      const t = (epoch * stepsPerEpoch + step) / total;
      const floor = (options.cosineFloor ?? 0) * baseLr;
      return floor + 0.5 * (baseLr - floor) * (1 + Math.cos(Math.PI * t));
    }
  }
}

/** `milestones` as the URL writes them: whole epochs separated by commas; '' for the reference fractions. */
export const MILESTONES_PATTERN = /^(\d{1,3}(,\d{1,3}){0,9})?$/;
export const MILESTONES_EXPECTED = 'should be whole epochs separated by commas, e.g. 15,18,21 (at most 10)';

/** Why `milestones` cannot be used with `epochs` student epochs, or undefined when it can. */
export function milestonesProblem(text: string, epochs: number, name = 'milestones'): string | undefined {
  if (!MILESTONES_PATTERN.test(text)) return `${name}=${text} ${MILESTONES_EXPECTED}`;
  const milestones = parseMilestones(text);
  const outside = milestones.find((m) => m < 1 || m > epochs);
  if (outside !== undefined) return `${name}=${text}: epoch ${outside} is not within 1..${epochs} (the student epochs)`;
  if (milestones.some((m, i) => i > 0 && m <= milestones[i - 1]!)) return `${name}=${text} must rise from one epoch to the next`;
  return undefined;
}

/** The whole epochs of a checked `milestones` text ([] for ''). */
export function parseMilestones(text: string): number[] {
  return text === '' ? [] : text.split(',').map(Number);
}

/**
 * The step decay a config asks for: its milestones in its student epochs, or the reference fractions
 * (62.5/75/87.5% of the epochs) when it names none; either way with its `decay` factor.
 */
export function stepDecayOf(config: { readonly milestones: string; readonly decay: number; readonly epochs: number }): StepDecay {
  const milestones = parseMilestones(config.milestones);
  return milestones.length === 0 ? { ...REFERENCE_STEP_DECAY, factor: config.decay } : { milestones, of: config.epochs, factor: config.decay };
}
