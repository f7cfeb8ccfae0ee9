/**
 * One training step of a method on the active tfjs backend, from seeded weights and a seeded batch, read
 * back as plain numbers: the check page (check.html) runs it on two backends and compares the numbers.
 * It goes through the run's own machinery (learners, teacher inputs, preparation, `trainStep`, the SGD
 * update), so what it checks is what a run computes.
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CONFIG } from '../config/fields';
import type { RunConfig } from '../config/runConfig';
import { keyedRng } from '../core/random';
import { BatchSource, type Batch } from '../data/batches';
import { syntheticImages } from '../data/syntheticImages';
import { METHOD_CATALOG, defaultMethodParams, teacherCount, type MethodId } from '../contract/methodCatalog';
import type { ModelId } from '../contract/modelCatalog';
import type { Network } from '../models/network';
import { buildNetwork } from '../models/zoo';
import { stepLearners, teacherContext, type Learner } from './learner';
import { createLearner, disposeLearner } from './learners';
import { sumTensors } from '../methods/losses';

/** Small enough for an emulated GPU, big enough for every method (REFILLED mines triplets among 2 images per class). */
export const STEP_CHECK = { images: 8, classes: 4, seed: 11, lr: 0.05, teacher: 'tiny-cnn', student: 'tiny-cnn' } as const satisfies {
  images: number;
  classes: number;
  seed: number;
  lr: number;
  teacher: ModelId;
  student: ModelId;
};

/**
 * The tiniest settings of methods with a generator (as the e2e runs use); REFILLED's widest miner margin, as
 * at the default (0.2) an untrained student on these colour-coded images has no semihard triplet, and a zero
 * loss would compare nothing.
 */
const STEP_PARAMS: Partial<Record<MethodId, Readonly<Record<string, number>>>> = {
  'ta-dfkd': { ngf: 8, nz: 32 },
  'dfkd-basic': { ngf: 8, nz: 32 },
  refilled: { margin: 2 },
};

export interface StepNumbers {
  /** What was stepped: the method, and its stage for multi-stage methods. */
  readonly label: string;
  readonly loss: number;
  readonly terms: Readonly<Record<string, number>>;
  readonly diagnostics: Readonly<Record<string, number>>;
  /** L2 norm over every trained variable's gradient (network and the method's modules). */
  readonly gradientNorm: number;
  /** The student's BatchNorm running statistics after the step, by local variable name. */
  readonly statistics: Readonly<Record<string, Float32Array>>;
}

function stepConfig(method: MethodId): RunConfig {
  const multi = METHOD_CATALOG[method].needs.teachers.max > 1;
  const methodParams = { ...defaultMethodParams(method), ...(multi ? { teachers: 2 } : {}), ...STEP_PARAMS[method] };
  // No weight decay: after one step from zero momentum the SGD buffer then holds exactly the gradient.
  return { ...DEFAULT_CONFIG, method, teacher: STEP_CHECK.teacher, student: STEP_CHECK.student, weightDecay: 0, seed: STEP_CHECK.seed, methodParams };
}

/** Teachers with non-trivial BatchNorm statistics: one training-mode pass over the batch, as a trained teacher would have. */
function buildTeachers(method: MethodId, config: RunConfig, batch: Batch): Network[] {
  return Array.from({ length: teacherCount(method, config.methodParams) }, (_, i) => {
    const teacher = buildNetwork(config.teacher, { numClasses: STEP_CHECK.classes, name: `check-teacher${i}`, seed: STEP_CHECK.seed + 1 + i });
    tf.tidy(() => {
      teacher.apply(batch.x, { training: true });
    });
    return teacher;
  });
}

/** The gradient's L2 norm, read from the momentum buffers: with zero weight decay, the first step's buffer is the gradient. */
async function gradientNorm(learner: Learner): Promise<number> {
  // Summed pairwise (sumTensors): WebGPU's addN returns zeros past 8 inputs. This check found that, on itself.
  const norm = tf.tidy(() => tf.sqrt(sumTensors(learner.optimizer.velocities.map((v) => tf.sum(tf.square(v))))));
  try {
    return (await norm.data())[0]!;
  } finally {
    norm.dispose();
  }
}

async function statistics(net: Network): Promise<Record<string, Float32Array>> {
  const entries = [...net.params.named].filter(([, v]) => !v.trainable);
  const values = await Promise.all(entries.map(([, v]) => v.data() as Promise<Float32Array>));
  return Object.fromEntries(entries.map(([name], i) => [name, values[i]!]));
}

/** One step of `learner` on `batch` (an early stage's losses when given), then its numbers. */
async function stepAndRead(label: string, learner: Learner, teachers: readonly Network[], batch: Batch, early?: boolean): Promise<StepNumbers> {
  learner.optimizer.reset();
  const context = teacherContext(learner.method.spec.needs.teachers.max > 0 ? learner : undefined, teachers, batch);
  // Epoch 1, as a method's later epochs run (CA-MKD's feature term is off in epoch 0).
  const earlyLosses = early ? learner.method.earlyStages![0]!.losses : undefined;
  const readout = (await stepLearners([learner], () => batch, context, { epoch: 1, lr: STEP_CHECK.lr }, earlyLosses))[0]!;
  return { label, loss: readout.loss, terms: readout.terms, diagnostics: readout.diagnostics, gradientNorm: await gradientNorm(learner), statistics: await statistics(learner.net) };
}

/**
 * The numbers of one training step of `method` on the active backend: one step for most methods; REFILLED
 * steps its embedding stage, then (after its class centres) its main stage. Leaves no tensor behind.
 */
export async function methodStepNumbers(method: MethodId): Promise<StepNumbers[]> {
  const config = stepConfig(method);
  const source = new BatchSource(syntheticImages(STEP_CHECK.images, STEP_CHECK.seed, STEP_CHECK.classes), { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] });
  // Augmented: the crops and flips are applied in JS, so both backends must see the same pixels.
  const batch = source.trainBatch(Array.from({ length: STEP_CHECK.images }, (_, i) => i), keyedRng(STEP_CHECK.seed, 'augment'));
  const teachers = buildTeachers(method, config, batch);
  let learner: Learner | null = null;
  try {
    learner = createLearner({ key: 'student', role: 'student', label: method, model: config.student, method, initSeed: STEP_CHECK.seed }, config, { numClasses: STEP_CHECK.classes, imageSide: source.set.side }, teachers, 'check-');
    if (!learner.method.earlyStages?.length) return [await stepAndRead(method, learner, teachers, batch)];
    const first = await stepAndRead(`${method} (stage ${learner.method.earlyStages[0]!.id})`, learner, teachers, batch, true);
    await learner.method.prepareMainStage?.({
      student: learner.net,
      teacherNets: teachers,
      modules: learner.modules,
      params: learner.params,
      numClasses: STEP_CHECK.classes,
      rng: keyedRng(STEP_CHECK.seed, 'main-stage'),
      forEachTrainingBatch: async (visit) => visit(batch),
    });
    return [first, await stepAndRead(`${method} (main stage)`, learner, teachers, batch)];
  } finally {
    if (learner) disposeLearner(learner);
    teachers.forEach((t) => t.dispose());
    tf.dispose([batch.x, batch.labels]);
    source.dispose();
  }
}
