/**
 * What the page draws for a seed, as numbers the Python package (`python/distillery_torch`) must reproduce:
 * the keyed generator's first outputs, the derived seeds, the first batch of epoch 0 (indices, crop offsets,
 * flips, pixels), initial weights by PyTorch name, and resnet8's initial eval logits. Also the zoo's name and
 * shape table (PyTorch names in creation order) for every model. Written to `python/tests/fixtures/` by
 * `scripts/same-seed-fixture.mjs`; `tests/torch/sameSeed.test.ts` checks the page still produces them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { holdoutIndices } from '../../src/core/holdout';
import { keyedRng, permutation } from '../../src/core/random';
import { BatchSource } from '../../src/data/batches';
import { concatLabeledImages, parseCifarBinary, splitImages, takeBalancedSubset, type LabeledImages } from '../../src/data/cifarBinary';
import { MODEL_IDS, type ModelId } from '../../src/contract/modelCatalog';
import { tfjsToTorch, torchShapeOf } from '../../src/interop/pytorch/layout';
import { torchNames } from '../../src/interop/pytorch/stateDictNames/names';
import { convReg } from '../../src/methods/modules/convReg';
import { keyedDropoutUniforms } from '../../src/models/keyedDropout';
import { ParamStore } from '../../src/models/layers';
import { buildNetwork } from '../../src/models/zoo';
import { derivedSeed, planRun } from '../../src/training/plan';
import { teacherContext, trainStep } from '../../src/training/learner';
import { createLearner } from '../../src/training/learners';
import { installFastCpuConvFilterGrad } from '../../src/training/cpuConvFilterGrad';
import { runExperiment } from '../../src/training/run';
import { RunControl } from '../../src/training/runControl';
import { measureStepCosts } from '../../src/training/stepCosts';
import type { EpochMetrics } from '../../src/contract/protocol';
import { defaultMethodParams } from '../../src/contract/methodCatalog';
import { learningRate } from '../../src/core/schedule';
import { DEFAULT_CONFIG } from '../../src/config/fields';
import type { RunConfig } from '../../src/config/runConfig';

export const SEED = 7;
/** Small members of every family: their initial weights are compared value by value. */
export const INIT_MODELS: readonly ModelId[] = [
  'tiny-cnn', 'resnet8', 'wrn_16_1', 'vgg8', 'mobilenetv2', 'shufflev1', 'shufflev2', 'resnet18_dfkd', 'wrn_16_1_refilled',
];
export const NORMALIZATION = { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] } as const;
const FIRST = 16;

export const DATASET_DIR = path.join(process.env.KD_DATASET_DIR ?? fileURLToPath(new URL('../../../shared/datasets/cifar10-subset', import.meta.url)), 'cifar-10-batches-bin');

export function readSplit(files: readonly string[]): LabeledImages {
  return concatLabeledImages(files.map((file) => parseCifarBinary(new Uint8Array(readFileSync(path.join(DATASET_DIR, file))), 'cifar10-binary', file)));
}

function draws() {
  const uniform = keyedRng(SEED, 'shuffle', 0);
  const normal = keyedRng(SEED, 'init', 0);
  const ints = keyedRng(SEED, 'augment', 0, 0);
  return {
    next: Array.from({ length: 4 }, () => uniform.next()),
    normal: Array.from({ length: 5 }, () => normal.normal()),
    int10: Array.from({ length: 6 }, () => ints.int(10)),
    derivedSeeds: { student: derivedSeed(SEED, 'student'), teacher0: derivedSeed(SEED, 'teacher', 0), teacher1: derivedSeed(SEED, 'teacher', 1) },
  };
}

/** The first batch of epoch 0 with the page's default config at SEED: which images, how augmented, what pixels. */
function firstBatch() {
  const config = { ...DEFAULT_CONFIG, seed: SEED };
  const train = readSplit([1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`));
  const plan = planRun(config, { trainCount: train.count, testCount: 1017 });
  const subset = takeBalancedSubset(train, plan.trainImages + plan.holdoutImages, 10);
  const held = holdoutIndices(subset.labels, 10, plan.holdoutImages, SEED);
  const { kept } = splitImages(subset, held);
  const order = permutation(plan.trainImages, keyedRng(SEED, 'shuffle', 0));
  const indices = order.subarray(0, FIRST);
  const rng = keyedRng(SEED, 'augment', 0, 0);
  const crops = Array.from(indices, () => ({ dy: rng.int(9), dx: rng.int(9), flip: rng.next() < 0.5 }));
  const source = new BatchSource(kept, NORMALIZATION);
  const batch = source.trainBatch(indices, keyedRng(SEED, 'augment', 0, 0));
  const nchw = tf.tidy(() => tf.transpose(batch.x, [0, 3, 1, 2]));
  const pixels = nchw.dataSync() as Float32Array;
  const perImage = pixels.length / FIRST;
  tf.dispose([batch.x, batch.labels, nchw]);
  source.dispose();
  return {
    config: { subset: config.subset, holdout: config.holdout, batch: config.batch, seed: SEED },
    trainImages: plan.trainImages,
    holdoutFirst: Array.from(held.subarray(0, 8)),
    indices: Array.from(indices),
    labels: Array.from(indices, (i) => kept.labels[i]!),
    crops,
    imageSums: Array.from({ length: FIRST }, (_, b) => pixels.subarray(b * perImage, (b + 1) * perImage).reduce((s, v) => s + v, 0)),
    firstImageHead: Array.from(pixels.subarray(0, 8)),
  };
}

/**
 * The page's own first training step (createLearner + trainStep) of the scratch baseline with the default
 * config at SEED on the first batch of epoch 0: its loss, and its eval logits on two test images after it.
 */
function firstStep() {
  const config = { ...DEFAULT_CONFIG, seed: SEED };
  const train = readSplit([1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`));
  const test = readSplit(['test_batch.bin']);
  const plan = planRun(config, { trainCount: train.count, testCount: test.count });
  const subset = takeBalancedSubset(train, plan.trainImages + plan.holdoutImages, 10);
  const { kept } = splitImages(subset, holdoutIndices(subset.labels, 10, plan.holdoutImages, SEED));
  const order = permutation(plan.trainImages, keyedRng(SEED, 'shuffle', 0));
  const source = new BatchSource(kept, NORMALIZATION);
  const testSource = new BatchSource(test, NORMALIZATION);
  const learner = createLearner(plan.students[0]!, config, { numClasses: 10, imageSide: 32 });
  try {
    const batch = source.trainBatch(order.subarray(0, plan.batch), keyedRng(SEED, 'augment', 0, 0));
    const lr = learningRate({ schedule: config.schedule, baseLr: config.lr, epochs: config.epochs, stepsPerEpoch: plan.stepsPerEpoch }, 0, 0);
    const step = trainStep(learner, batch, teacherContext(undefined, [], batch), 0, lr, undefined);
    const [loss, correct] = Array.from(step.packed.dataSync());
    step.packed.dispose();
    tf.dispose([batch.x, batch.labels]);
    const probe = testSource.evalBatch(0, 2);
    const logits = tf.tidy(() => learner.net.apply(probe.x, { training: false }).logits);
    const rows = logits.arraySync();
    tf.dispose([probe.x, probe.labels, logits]);
    return { learner: plan.students[0]!.key, model: config.student, initSeed: plan.students[0]!.initSeed, batch: plan.batch, lr, loss, correct, logitsAfter: rows };
  } finally {
    learner.optimizer.dispose();
    learner.net.dispose();
    source.dispose();
    testSource.dispose();
  }
}

/**
 * A whole tiny run of the page's own loop (runExperiment on the subset's images): every epoch's metrics but
 * the wall-clock seconds. The package, given the same config, must report the same.
 */
export async function pageRunEpochs(config: RunConfig) {
  const data = { train: readSplit([1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`)), test: readSplit(['test_batch.bin']), normalization: NORMALIZATION, numClasses: 10 };
  const epochs: Omit<EpochMetrics, 'seconds'>[] = [];
  await runExperiment(config, data, new RunControl(), {
    started() {},
    progress() {},
    epoch: ({ seconds: _seconds, ...metrics }) => void epochs.push(metrics),
    learnerDone() {},
  }, { measureCosts: (plan, train, test) => measureStepCosts(plan, config, train, test, 10) });
  return { config, epochs };
}

/** The tiny KD run (teacher, then scratch and student in lockstep) the same-seed fixture holds. */
function pageRun() {
  return pageRunEpochs({
    ...DEFAULT_CONFIG, seed: SEED, method: 'kd' as const, teacher: 'tiny-cnn' as const, student: 'tiny-cnn' as const,
    subset: 64, testSubset: 32, batch: 16, epochs: 2, teacherEpochs: 1, methodParams: defaultMethodParams('kd'),
  });
}

/** Each tensor of `model` at SEED: PyTorch name, shape, first values and float64 sum, in PyTorch's layout. */
function initialWeights(model: ModelId) {
  const net = buildNetwork(model, { numClasses: 10, name: `same-seed-${model}`, seed: SEED });
  try {
    const names = torchNames(model, net.params.named.keys());
    return names.map(({ local, torch, layout }) => {
      const variable = net.params.named.get(local)!;
      const values = tfjsToTorch(layout, variable.dataSync() as Float32Array, variable.shape);
      return { name: torch, shape: torchShapeOf(layout, variable.shape), head: Array.from(values.subarray(0, 4)), sum: values.reduce((s, v) => s + v, 0) };
    });
  } finally {
    net.dispose();
  }
}

/** resnet8 at SEED in eval mode on the first two test images. */
function initialLogits() {
  const test = readSplit(['test_batch.bin']);
  const source = new BatchSource(test, NORMALIZATION);
  const net = buildNetwork('resnet8', { numClasses: 10, name: 'same-seed-logits', seed: SEED });
  try {
    const batch = source.evalBatch(0, 2);
    const logits = tf.tidy(() => net.apply(batch.x, { training: false }).logits);
    const rows = logits.arraySync();
    tf.dispose([batch.x, batch.labels, logits]);
    return { model: 'resnet8', testImages: [0, 1], logits: rows };
  } finally {
    net.dispose();
    source.dispose();
  }
}

/**
 * REFILLED's WRN at SEED in training mode (keyed dropout masks, batch-statistics BatchNorm), two forwards on
 * one fixed input: the logits of training passes 0 and 1, which draw different masks.
 */
function dropoutForward() {
  const model = 'wrn_16_1_refilled' as const;
  const shape = [2, 8, 8, 3] as const;
  const net = buildNetwork(model, { numClasses: 10, name: 'same-seed-dropout', seed: SEED });
  try {
    const count = shape.reduce((a, b) => a * b, 1);
    const input = tf.tensor4d(Float32Array.from({ length: count }, (_, i) => Math.sin(i * 0.37)), [...shape]);
    const passes = [0, 1].map(() => tf.tidy(() => net.apply(input, { training: true }).logits).arraySync());
    input.dispose();
    // The counter-based draws themselves, at a layer and pass past the first, and far into the map.
    const uniforms = keyedDropoutUniforms({ seed: SEED, pass: 3, layer: 2 }, 70_000);
    return { model, inputShapeNhwc: shape, passes, uniformsHead: Array.from(uniforms.subarray(0, 6)), uniformsTail: Array.from(uniforms.subarray(-3)) };
  } finally {
    net.dispose();
  }
}

/** FitNets' regressor for each ConvReg case (NHWC shapes), seeded as a learner's modules, and its eval output on a fixed input. */
export const REGRESSOR_CASES: readonly { student: [number, number, number]; teacher: [number, number, number] }[] = [
  { student: [8, 8, 64], teacher: [16, 16, 32] },
  { student: [16, 16, 32], teacher: [8, 8, 64] },
  { student: [8, 8, 16], teacher: [6, 6, 8] },
  { student: [4, 4, 8], teacher: [16, 16, 8] },
];

function regressors() {
  return REGRESSOR_CASES.map(({ student, teacher }) => {
    const store = new ParamStore('same-seed-regressor', keyedRng(SEED, 'modules'));
    try {
      const regressor = convReg(store, 'regressor', student, teacher);
      const weights = [...store.named].filter(([name]) => name.endsWith('kernel') || name.endsWith('/bias') && !name.includes('/bn/')).map(([name, variable]) => {
        const values = name.endsWith('kernel') ? tfjsToTorch('conv2d', variable.dataSync() as Float32Array, variable.shape) : (variable.dataSync() as Float32Array);
        return { name, head: Array.from(values.subarray(0, 4)), sum: values.reduce((s, v) => s + v, 0) };
      });
      const count = student.reduce((a, b) => a * b, 2);
      const input = tf.tensor4d(Float32Array.from({ length: count }, (_, i) => Math.sin(i * 0.37)), [2, ...student]);
      const output = tf.tidy(() => tf.transpose(regressor.apply(input, false), [0, 3, 1, 2]));
      const values = output.dataSync() as Float32Array;
      tf.dispose([input, output]);
      return { student, teacher, weights, outputHead: Array.from(values.subarray(0, 6)), outputSum: values.reduce((s, v) => s + v, 0) };
    } finally {
      store.dispose();
    }
  });
}

export async function sameSeedFixture() {
  // As the Node tests run it (tests/setup.ts): tfjs's CPU backend with the worker's faster filter gradient.
  await tf.setBackend('cpu');
  installFastCpuConvFilterGrad();
  return {
    about: 'Written by scripts/same-seed-fixture.mjs from the page code (scripts/torch/sameSeed.ts); python/tests/test_same_seed.py checks distillery_torch against it.',
    seed: SEED,
    normalization: NORMALIZATION,
    draws: draws(),
    firstBatch: firstBatch(),
    initialWeights: Object.fromEntries(INIT_MODELS.map((model) => [model, initialWeights(model)])),
    initialLogits: initialLogits(),
    dropoutForward: dropoutForward(),
    regressors: regressors(),
    firstStep: firstStep(),
    pageRun: await pageRun(),
  };
}

/** Every zoo model's PyTorch names (creation order, BatchNorm counters left out) and shapes, for 10 and 100 classes. */
export async function zooNameTable() {
  await tf.setBackend('cpu');
  const models = Object.fromEntries(
    MODEL_IDS.map((model) => {
      const net = buildNetwork(model, { numClasses: 100, name: `names-${model}`, seed: 0 });
      try {
        const names = torchNames(model, net.params.named.keys());
        return [model, names.map(({ local, torch, layout }) => [torch, torchShapeOf(layout, net.params.named.get(local)!.shape)])];
      } finally {
        net.dispose();
      }
    }),
  );
  return { about: 'PyTorch state_dict names and shapes of every zoo model at 100 classes, in the page\u2019s creation order (num_batches_tracked left out). Written by scripts/same-seed-fixture.mjs.', numClasses: 100, models };
}
