/**
 * The run configuration: one frozen, plain-data value that crosses to the worker, round-trips through the
 * URL and is recorded with every run. Defaults and ranges live in `fields.ts`.
 */
import type { MethodId } from '../contract/methodCatalog';
import type { ModelId } from '../contract/modelCatalog';
import type { LrSchedule } from '../core/schedule';

/** The tfjs backends the worker can train on. */
export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
/** What a run asks for: one backend, forced, or `auto` (a real GPU's WebGPU, else the fastest measured here). */
export const BACKEND_CHOICES = ['auto', ...BACKENDS] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export interface RunConfig {
  readonly dataset: string;
  readonly teacher: ModelId;
  readonly student: ModelId;
  readonly method: MethodId;
  /** Student epochs. */
  readonly epochs: number;
  /** Teacher epochs (teachers usually need more than the demo's students). */
  readonly teacherEpochs: number;
  /** Number of training images used (the first ones of the dataset). */
  readonly subset: number;
  /**
   * Keep a seeded, class-balanced 10% of the training subset out of training, to fit calibration on.
   * Runs saved before it existed read as false: they held nothing out.
   */
  readonly holdout: boolean;
  /** Number of test images evaluated after every epoch. */
  readonly testSubset: number;
  readonly batch: number;
  readonly lr: number;
  readonly schedule: LrSchedule;
  /**
   * With the step schedule: the student epochs after which the rate decays ("15,18,21"), or '' for 62.5, 75
   * and 87.5% of the epochs (the 150/180/210-of-240 recipe). Configs saved before it existed read as ''.
   */
  readonly milestones: string;
  /** With the step schedule: the factor the rate is multiplied by at each milestone (0.1 before it existed). */
  readonly decay: number;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  /** Random crop with 4-pixel padding and horizontal flip. */
  readonly augment: boolean;
  readonly seed: number;
  readonly backend: BackendChoice;
  /** Distil from a teacher trained earlier in this session with the same settings instead of retraining. */
  readonly reuseTeachers: boolean;
  /**
   * Saved models (ids) standing in for the teachers by slot, comma-separated: `m-a` for the first teacher,
   * `m-a,m-b` for two, `,m-b` for the second only; an empty slot is trained in the run. See savedTeacherSlots.
   */
  readonly savedTeacher: string;
  /** The custom method's loss, JavaScript written in the page (see contract/userCode.ts). */
  readonly userLoss: string;
  /** Values of the selected method's parameters, by key (see the method catalog). */
  readonly methodParams: Readonly<Record<string, number>>;
}

/**
 * A config saved before a setting existed (a checkpoint, a saved run), with that setting at the value that
 * keeps its meaning: no milestones and x0.1 are the step schedule it trained with.
 */
export function withScheduleDefaults<C extends Omit<RunConfig, 'milestones' | 'decay' | 'holdout'> & { readonly milestones?: string; readonly decay?: number }>(config: C): Omit<C, 'milestones' | 'decay'> & Pick<RunConfig, 'milestones' | 'decay'> {
  return { ...config, milestones: config.milestones ?? '', decay: config.decay ?? 0.1 };
}

/** The most teacher slots a link may name saved models for (the multi-teacher methods' largest `teachers`). */
export const SAVED_TEACHER_SLOTS_MAX = 8;

/** `savedTeacher` by teacher slot: a model id, or '' where the run trains that teacher. */
export function savedTeacherSlots(savedTeacher: string): string[] {
  return savedTeacher === '' ? [] : savedTeacher.split(',');
}

/** `savedTeacher` with `slot` set to `id` ('' : trained in the run); trailing empty slots dropped. */
export function withSavedTeacherSlot(savedTeacher: string, slot: number, id: string): string {
  const slots = savedTeacherSlots(savedTeacher);
  while (slots.length <= slot) slots.push('');
  slots[slot] = id;
  while (slots.length > 0 && slots.at(-1) === '') slots.pop();
  return slots.join(',');
}
