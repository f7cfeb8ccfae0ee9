/**
 * Training-step throughput, two ways on the same backend, model and images: through the app's own training
 * code (createLearner, BatchSource, teacherContext, prepareStep, trainStep, disposeOutputs: what a run's
 * phase does per batch) and as a bare tfjs loop (optimizer.minimize with tf.train.momentum, cross-entropy
 * and an L2 penalty for the weight decay, plus the plain KD term when there are teachers). Teachers are untrained copies of the student's
 * architecture: speed does not depend on what they learned.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../config/runConfig';
import { DEFAULT_CONFIG } from '../config/fields';
import { BatchSource, type Normalization } from '../data/batches';
import type { LabeledImages } from '../data/cifarBinary';
import { defaultMethodParams } from '../contract/methodCatalog';
import type { Network } from '../models/network';
import { buildNetwork } from '../models/zoo';
import { sumTensors } from '../methods/losses';
import { disposeOutputs, prepareStep, teacherContext, trainStep, unpackReadout, type Learner } from '../training/learner';
import { createLearner, disposeLearner } from '../training/learners';
import type { BenchMethod, ThroughputResult, ThroughputTask } from '../contract/benchProtocol';

/** The images a benchmark trains on, with what normalises them. */
export interface BenchData {
  readonly train: LabeledImages;
  readonly normalization: Normalization;
  readonly numClasses: number;
}

/** Distinct batches cycled through (enough that no step reuses the previous one's upload). */
const DISTINCT_BATCHES = 4;

/** The app's settings for a method; augmentation off, so both variants see the same pixels. */
/** `holdout: false`: the benchmark times the whole subset, as its earlier figures did. */
export function benchConfig(method: BenchMethod, overrides: Partial<RunConfig> = {}): RunConfig {
  const multi: Record<string, number> = method === 'aver-mkd' ? { teachers: 2 } : {};
  return { ...DEFAULT_CONFIG, method, methodParams: { ...defaultMethodParams(method), ...multi }, augment: false, reuseTeachers: false, holdout: false, ...overrides };
}

function teacherTotal(method: BenchMethod): number {
  return method === 'scratch' ? 0 : method === 'kd' ? 1 : 2;
}

function batchIndices(step: number, batch: number, count: number): Int32Array {
  const start = (step % DISTINCT_BATCHES) * batch;
  return Int32Array.from({ length: batch }, (_, i) => (start + i) % count);
}

function buildTeachers(task: ThroughputTask, numClasses: number, variant: string): Network[] {
  return Array.from({ length: teacherTotal(task.method) }, (_, i) => buildNetwork(task.model, { numClasses, name: `bench-${variant}-teacher${i}`, seed: 100 + i }));
}

/** One step exactly as a run's phase takes it, for the distilled learner alone. */
async function oursStep(learner: Learner, teacherNets: readonly Network[], source: BatchSource, indices: Int32Array, lr: number): Promise<void> {
  const batch = source.trainBatch(indices, null);
  try {
    const distiller = teacherNets.length > 0 ? learner : undefined;
    const teachers = teacherContext(distiller, teacherNets, batch);
    const prepared = await prepareStep(learner, batch, teachers, 0);
    const step = trainStep(learner, batch, teachers, 0, lr, prepared);
    disposeOutputs(teachers.outputs);
    const values = await step.packed.data();
    step.packed.dispose();
    if (!Number.isFinite(unpackReadout(values, step).loss)) throw new Error('the loss is not finite');
  } finally {
    tf.dispose([batch.x, batch.labels]);
  }
}

/** A way to take one training step on step index i, and to free what it holds. */
interface Stepper {
  step(index: number): Promise<void>;
  dispose(): void;
}

function oursStepper(task: ThroughputTask, data: BenchData): Stepper {
  const config = benchConfig(task.method, { batch: task.batch });
  const teacherNets = buildTeachers(task, data.numClasses, 'ours');
  const planned = { key: 'student', role: 'student', label: 'bench', model: task.model, method: task.method, initSeed: 7 } as const;
  const learner = createLearner(planned, config, { numClasses: data.numClasses, imageSide: data.train.side }, teacherNets, 'bench-ours-');
  const source = new BatchSource(data.train, data.normalization);
  return {
    step: (i) => oursStep(learner, teacherNets, source, batchIndices(i, task.batch, data.train.count), config.lr),
    dispose: () => {
      source.dispose();
      disposeLearner(learner);
      teacherNets.forEach((t) => t.dispose());
    },
  };
}

/** Normalised pixels and one-hot labels of the cycled batches, prepared once on the CPU. */
function baselineBatches(data: BenchData, batch: number): { pixels: Float32Array; labels: Int32Array }[] {
  const { mean, std } = data.normalization;
  return Array.from({ length: DISTINCT_BATCHES }, (_, b) => {
    const indices = batchIndices(b, batch, data.train.count);
    const pixels = new Float32Array(batch * 32 * 32 * 3);
    const labels = new Int32Array(batch);
    indices.forEach((index, row) => {
      const image = data.train.images.subarray(index * 3072, (index + 1) * 3072);
      for (let p = 0; p < 3072; p++) pixels[row * 3072 + p] = (image[p]! / 255 - mean[p % 3]!) / std[p % 3]!;
      labels[row] = data.train.labels[index]!;
    });
    return { pixels, labels };
  });
}

/** The KD term as anyone would write it: T² · KL(teacher ‖ student) at temperature T, batch mean. */
function plainKd(student: tf.Tensor2D, teacher: tf.Tensor2D, temperature: number): tf.Scalar {
  const logPs = tf.logSoftmax(tf.div(student, temperature));
  const logPt = tf.logSoftmax(tf.div(teacher, temperature));
  return tf.mul(tf.mean(tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)), 1)), temperature * temperature);
}

function baselineStepper(task: ThroughputTask, data: BenchData): Stepper {
  const config = benchConfig(task.method, { batch: task.batch });
  const params = config.methodParams;
  const teacherNets = buildTeachers(task, data.numClasses, 'baseline');
  const net = buildNetwork(task.model, { numClasses: data.numClasses, name: 'bench-baseline-student', seed: 7 });
  const optimizer = tf.train.momentum(config.lr, config.momentum);
  const batches = baselineBatches(data, task.batch);
  const step = async (i: number) => {
    const { pixels, labels } = batches[i % DISTINCT_BATCHES]!;
    const x = tf.tensor4d(pixels, [task.batch, 32, 32, 3]);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), data.numClasses));
    const teacherLogits = teacherNets.map((t) => tf.tidy(() => t.apply(x, { training: false }).logits));
    const trainable = net.params.trainable as tf.Variable[];
    const loss = optimizer.minimize(
      () => {
        const logits = net.apply(x, { training: true }).logits;
        const ce = tf.losses.softmaxCrossEntropy(y, logits);
        // Weight decay as plain tfjs code writes it: an L2 penalty in the loss (its gradient is wd · w,
        // what the app's SGD adds to each gradient), so both variants take the same step.
        const l2 = tf.mul(sumTensors(trainable.map((w) => tf.sum(tf.square(w)))), config.weightDecay / 2);
        if (teacherLogits.length === 0) return tf.add(ce, l2) as tf.Scalar;
        const kd = tf.div(tf.addN(teacherLogits.map((t) => plainKd(logits, t, params.T ?? 4))), teacherLogits.length);
        return tf.addN([tf.mul(ce, params.ceWeight ?? 1), tf.mul(kd, params.alpha ?? 1), l2]) as tf.Scalar;
      },
      true,
      trainable,
    )!;
    await loss.data(); // waits for the GPU, as ours does with its packed readout
    tf.dispose([x, y, loss, ...teacherLogits]);
  };
  return {
    step,
    dispose: () => {
      // (tfjs 4.22's MomentumOptimizer.dispose leaves its learning-rate scalar behind: one tensor per task.)
      optimizer.dispose();
      net.dispose();
      teacherNets.forEach((t) => t.dispose());
    },
  };
}

async function timed(action: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await action();
  return (performance.now() - start) / 1000;
}

/**
 * Both variants on the same model, method and images: warm-up steps (ours first, so its first step is the
 * one that compiles the shaders), then timed steps interleaved, alternating which goes first.
 */
export async function measureThroughput(task: ThroughputTask, data: BenchData): Promise<ThroughputResult> {
  const ours = oursStepper(task, data);
  const baseline = baselineStepper(task, data);
  const times = { ours: [] as number[], baseline: [] as number[] };
  const first = { ours: 0, baseline: 0 };
  try {
    for (let i = 0; i < task.warmupSteps + task.timedSteps; i++) {
      const order = i % 2 === 0 ? (['ours', 'baseline'] as const) : (['baseline', 'ours'] as const);
      for (const variant of order) {
        const seconds = await timed(() => (variant === 'ours' ? ours : baseline).step(i));
        if (i === 0) first[variant] = seconds;
        if (i >= task.warmupSteps) times[variant].push(seconds);
      }
    }
  } finally {
    ours.dispose();
    baseline.dispose();
  }
  return {
    ours: { firstStepSeconds: first.ours, stepSeconds: times.ours },
    baseline: { firstStepSeconds: first.baseline, stepSeconds: times.baseline },
    teachers: teacherTotal(task.method),
  };
}
