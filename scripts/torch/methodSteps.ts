/**
 * One step of each multi-teacher, REFILLED and data-free method, computed by the page's own method code
 * (`METHODS[id]`: createModules, prepare, losses, earlyStages, afterStep) from seeded zoo networks and a fixed
 * batch: the loss terms and diagnostics the Python package (`python/distillery_torch`) must reproduce within
 * 1e-4 from the same weights and batch. The method's modules are summarised (first values and sums) so Python
 * checks that it seeds them as the page does. Written to `python/tests/fixtures/method_steps.json` by
 * `scripts/method-steps-fixture.mjs`; `tests/torch/methodSteps.test.ts` checks the page still computes them.
 */
import * as tf from '@tensorflow/tfjs';
import { defaultMethodParams, type MethodId } from '../../src/contract/methodCatalog';
import { keyedRng } from '../../src/core/random';
import { METHODS } from '../../src/methods';
import { trainView } from '../../src/methods/dataFree';
import { DFKD_GENERATOR_WEIGHTS, euclideanNorm, totalVariationLoss } from '../../src/methods/dfkdLosses';
import { createGenerator } from '../../src/models/generator';
import { ParamStore } from '../../src/models/layers';
import type { ModelOutput, Network } from '../../src/models/network';
import { buildNetwork } from '../../src/models/zoo';
import { featureShapes } from '../../src/training/learners';
import { forwardKeepingStatistics } from '../../src/training/learner';
import { DEFAULT_CONFIG } from '../../src/config/fields';
import { NORMALIZATION, pageRunEpochs } from './sameSeed';

export const STEP_SEED = 7;
const STUDENT = { model: 'tiny-cnn', seed: 101 } as const;
const TEACHERS = [
  { model: 'resnet8', seed: 201 },
  { model: 'resnet8', seed: 202 },
  { model: 'resnet8', seed: 203 },
] as const;
const BATCH = 8;
const CLASSES = 10;
/** Four classes of two images each, so REFILLED mines triplets and the class centres have several members. */
const LABELS = Array.from({ length: BATCH }, (_, i) => i % 4);
export const MULTI_TEACHER_STEPS: readonly MethodId[] = ['aver-mkd', 'fitnet-mkd', 'ebkd', 'aekd', 'camkd'];
/** The data-free generator, small: the step's arithmetic does not depend on its width. */
const GENERATOR_PARAMS = { nz: 16, ngf: 8 } as const;

/** Fixed inputs: pixel values sin(0.37·i)·1.5 in NHWC order (Python reads them back as NCHW). */
function batchX(count: number): tf.Tensor4D {
  const values = Float32Array.from({ length: count * 32 * 32 * 3 }, (_, i) => Math.sin(i * 0.37) * 1.5);
  return tf.tensor4d(values, [count, 32, 32, 3]);
}

/**
 * Each variable of a store as its tfjs shape, first values and float64 sum: enough to check that Python seeds
 * the method's modules exactly as the page does (same draws, same layout) without writing every weight.
 */
function storeWeights(store: ParamStore) {
  return Object.fromEntries(
    [...store.named].map(([name, v]) => {
      const values = v.dataSync() as Float32Array;
      return [name, { shape: v.shape, head: Array.from(values.subarray(0, 4)), sum: values.reduce((a, b) => a + b, 0) }];
    }),
  );
}

const scalars = (record: Readonly<Record<string, tf.Scalar>> = {}) => Object.fromEntries(Object.entries(record).map(([k, v]) => [k, v.dataSync()[0]!]));

interface Nets {
  readonly student: Network;
  readonly teachers: readonly Network[];
}

/** Fresh seeded networks for one step, disposed once `visit` (possibly asynchronous) has finished. */
async function withNets<T>(count: number, visit: (nets: Nets) => T | Promise<T>): Promise<T> {
  const student = buildNetwork(STUDENT.model, { numClasses: CLASSES, name: 'step-student', seed: STUDENT.seed });
  const teachers = TEACHERS.slice(0, count).map((t, m) => buildNetwork(t.model, { numClasses: CLASSES, name: `step-teacher${m}`, seed: t.seed }));
  try {
    return await visit({ student, teachers });
  } finally {
    [student, ...teachers].forEach((n) => n.dispose());
  }
}

/** The method's modules, created as a learner creates them (its own store, seeded by the learner's init seed). */
function createModules(id: MethodId, { student, teachers }: Nets, params: Record<string, number>) {
  const store = new ParamStore(`step-${id}/modules`, keyedRng(STUDENT.seed, 'modules'));
  const modules = METHODS[id].createModules?.({
    store,
    student: { model: STUDENT.model, shapes: featureShapes(student, 32) },
    teachers: teachers.map((t, m) => ({ model: TEACHERS[m]!.model, shapes: featureShapes(t, 32) })),
    params,
    numClasses: CLASSES,
    imageSide: 32,
    seed: STUDENT.seed,
    userCode: '',
  });
  return { store, modules };
}

async function multiTeacherStep(id: MethodId) {
  const params = defaultMethodParams(id);
  return withNets(TEACHERS.length, async (nets) => {
    const { store, modules } = createModules(id, nets, params);
    const x = batchX(BATCH);
    const labels = tf.tensor1d(LABELS, 'int32');
    try {
      const teachers: ModelOutput[] = nets.teachers.map((t) => t.apply(x, { training: false }));
      const epoch = 1; // past epoch 0, so CA-MKD's feature term is in
      const base = { x, labels, params, epoch, teacherNets: nets.teachers, teachers };
      const prepared = await METHODS[id].prepare?.({ ...base, studentForward: () => forwardKeepingStatistics(nets.student, x) });
      const step = tf.tidy(() => {
        const student = nets.student.apply(x, { training: true });
        const { terms, diagnostics } = METHODS[id].losses({ ...base, student, modules, prepared });
        return { terms: scalars(terms), diagnostics: scalars(diagnostics) };
      });
      return { method: id, params, epoch, modules: storeWeights(store), ...step };
    } finally {
      tf.dispose([x, labels]);
      store.dispose();
    }
  });
}

/** REFILLED: a stage-1 step, then a stage-2 step with the class centres summed from the teacher on this batch. */
async function refilledSteps() {
  const params = defaultMethodParams('refilled');
  return withNets(1, (nets) => {
    const { store, modules } = createModules('refilled', nets, params);
    const x = batchX(BATCH);
    const labels = tf.tensor1d(LABELS, 'int32');
    try {
      const teachers = [nets.teachers[0]!.apply(x, { training: false })];
      const base = { x, labels, params, epoch: 0, teacherNets: nets.teachers, teachers, modules, prepared: undefined };
      const run = (losses: typeof METHODS.refilled.losses) =>
        tf.tidy(() => {
          const { terms, diagnostics } = losses({ ...base, student: nets.student.apply(x, { training: true }) });
          return { terms: scalars(terms), diagnostics: scalars(diagnostics) };
        });
      const stage1 = run(METHODS.refilled.earlyStages![0]!.losses);
      const centres = (modules as { centres: tf.Variable }).centres;
      tf.tidy(() => centres.assign(tf.matMul(tf.oneHot(labels, CLASSES).toFloat(), teachers[0]!.features.penultimate, true, false)));
      const stage2 = run(METHODS.refilled.losses);
      return { method: 'refilled', params, stage1, stage2 };
    } finally {
      tf.dispose([x, labels]);
      store.dispose();
    }
  });
}

/**
 * A data-free generator step (the method's own afterStep, with studentSteps = 1 so it runs now), on fixed
 * noise: `sample` is swapped for the fixture's z, drawing the same one integer from the rng that the real
 * sample draws, so the train view's crop and flip are the rng's next three draws, as in a real step.
 */
async function dataFreeStep(id: 'ta-dfkd' | 'dfkd-basic') {
  const params = { ...defaultMethodParams(id), ...GENERATOR_PARAMS, studentSteps: 1 };
  return withNets(1, async (nets) => {
    const { store, modules } = createModules(id, nets, params);
    const typed = modules as { generator: { sample(batch: number, rng?: unknown): tf.Tensor2D; params: ParamStore }; optimizer: tf.Optimizer };
    const z = tf.tensor2d(Float32Array.from({ length: BATCH * GENERATOR_PARAMS.nz }, (_, i) => Math.cos(i * 0.53) * 1.2), [BATCH, GENERATOR_PARAMS.nz]);
    const generatorWeights = storeWeights(typed.generator.params);
    typed.generator.sample = (_batch, rng) => ((rng as { int(n: number): number }).int(0x7fffffff), tf.clone(z));
    const mean = tf.tensor1d([...NORMALIZATION.mean]);
    const std = tf.tensor1d([...NORMALIZATION.std]);
    const normalize = (images: tf.Tensor4D) => tf.div(tf.sub(images, mean), std) as tf.Tensor4D;
    try {
      // The image priors of the step, which its total hides under the BN term: the same view, drawn from a
      // twin of the step's rng before the step updates the generator.
      const twin = keyedRng(STEP_SEED, 'generator-step');
      twin.int(0x7fffffff);
      const priors = tf.tidy(() => {
        const view = normalize(trainView((modules as { generator: { apply(z: tf.Tensor2D): tf.Tensor4D } }).generator.apply(z), twin));
        return { tv: totalVariationLoss(view).dataSync()[0]! * DFKD_GENERATOR_WEIGHTS.tv, l2: euclideanNorm(view).dataSync()[0]! * DFKD_GENERATOR_WEIGHTS.l2 };
      });
      const inputs = { modules, params, teacherNets: nets.teachers, student: nets.student, batchSize: BATCH, normalize, epoch: 0, step: 0 };
      const studentStep = await dataFreeStudentStep(id, inputs);
      const diagnostics = await METHODS[id].afterStep!({ ...inputs, rng: keyedRng(STEP_SEED, 'generator-step') });
      // After its Adam step: the package's update must move every weight as the page's does.
      const generatorAfter = storeWeights(typed.generator.params);
      return { method: id, params, z: Array.from(z.dataSync()), generator: generatorWeights, generatorAfter, rngKey: [STEP_SEED, 'generator-step'], priors, diagnostics, studentStep };
    } finally {
      METHODS[id].disposeModules?.(modules);
      tf.dispose([z, mean, std]);
      store.dispose();
    }
  });
}

/** The generator's noise for a keyed draw (models/generator.ts sample()): the values the package must draw. */
function generatorNoise() {
  const generator = createGenerator({ ...GENERATOR_PARAMS, seed: STEP_SEED });
  try {
    const values = tf.tidy(() => generator.sample(3, keyedRng(STEP_SEED, 'synthesize', 1, 2)).dataSync() as Float32Array);
    return { rngKey: [STEP_SEED, 'synthesize', 1, 2], batch: 3, nz: GENERATOR_PARAMS.nz, values: Array.from(values) };
  } finally {
    generator.dispose();
  }
}

/**
 * The student's side of a data-free step: the method's own synthesize (selection, the random fill, the
 * train view; every draw from keyedRng(STEP_SEED, 'student-batch')) on the fixed noise, then its L1 term.
 */
async function dataFreeStudentStep(id: 'ta-dfkd' | 'dfkd-basic', inputs: Omit<Parameters<NonNullable<(typeof METHODS)['ta-dfkd']['synthesize']>>[0], 'rng'>) {
  const { batch, diagnostics } = await METHODS[id].synthesize!({ ...inputs, rng: keyedRng(STEP_SEED, 'student-batch') });
  try {
    return tf.tidy(() => {
      const teachers = [inputs.teacherNets[0]!.apply(batch.x, { training: false })];
      const student = inputs.student.apply(batch.x, { training: true });
      const base = { x: batch.x, labels: batch.labels, params: inputs.params, epoch: 0, teacherNets: inputs.teacherNets, teachers };
      const { terms } = METHODS[id].losses({ ...base, student, modules: inputs.modules, prepared: undefined });
      const values = batch.x.dataSync() as Float32Array;
      return { rngKey: [STEP_SEED, 'student-batch'], diagnostics, labels: Array.from(batch.labels.dataSync()), xSum: values.reduce((a, b) => a + b, 0), terms: scalars(terms) };
    });
  } finally {
    tf.dispose([batch.x, batch.labels]);
  }
}

/** Methods (two multi-teacher ones, and REFILLED's two stages) whose whole tiny run the page's own loop records, for the package to repeat. */
export const PAGE_RUN_METHODS = ['camkd', 'aekd', 'refilled', 'ta-dfkd'] as const;

/** Each page run's method parameters: two teachers for the multi-teacher methods, a small generator for TA-DFKD. */
function pageRunParams(method: (typeof PAGE_RUN_METHODS)[number]) {
  const defaults = defaultMethodParams(method);
  if (method === 'refilled') return { ...defaults, stage1Epochs: 2, stage1Cosine: 1 };
  if (method === 'ta-dfkd') return { ...defaults, ...GENERATOR_PARAMS, studentSteps: 2 };
  return { ...defaults, teachers: 2 };
}

/**
 * A whole tiny run of the page's own loop (runExperiment: the teachers, each with its own seed, then scratch
 * and student in lockstep; TA-DFKD's student on generated images, its noise the keyed generator's): every epoch's metrics, diagnostics included, but the wall-clock seconds.
 */
export function pageRun(method: (typeof PAGE_RUN_METHODS)[number]) {
  return pageRunEpochs({
    ...DEFAULT_CONFIG, seed: STEP_SEED, method, teacher: 'tiny-cnn' as const, student: 'tiny-cnn' as const,
    subset: 64, testSubset: 32, batch: 16, epochs: 2, teacherEpochs: 1,
    // REFILLED also checks the per-stage rates: stage 1 its reference's cosine to lr/10, stage 2 a step decay.
    ...(method === 'refilled' ? { schedule: 'step' as const, milestones: '1', decay: 0.5 } : {}),
    methodParams: pageRunParams(method),
  });
}

/**
 * The whole fixture; `withPageRuns: false` leaves out the page runs, which take minutes on tfjs's CPU
 * backend (the vitest checks the steps; the runs are rewritten with the script).
 */
export async function methodStepsFixture({ withPageRuns = true } = {}) {
  await tf.setBackend('cpu');
  const steps: unknown[] = [];
  for (const id of MULTI_TEACHER_STEPS) steps.push(await multiTeacherStep(id));
  return {
    about: 'Written by scripts/method-steps-fixture.mjs from the page code (scripts/torch/methodSteps.ts); python/tests/test_method_steps.py checks distillery_torch against it.',
    student: STUDENT, teachers: TEACHERS, numClasses: CLASSES, labels: LABELS, normalization: NORMALIZATION,
    input: 'x[b, h, w, c] = sin(0.37 * i) * 1.5 with i the NHWC row-major index',
    multiTeacher: steps,
    refilled: await refilledSteps(),
    dataFree: [await dataFreeStep('ta-dfkd'), await dataFreeStep('dfkd-basic')],
    generatorNoise: generatorNoise(),
    ...(withPageRuns ? { pageRuns: Object.fromEntries(await Promise.all(PAGE_RUN_METHODS.map(async (m) => [m, await pageRun(m)] as const))) } : {}),
  };
}
