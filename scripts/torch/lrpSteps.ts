/**
 * The explainable oracle's LRP rules as the page computes them (`src/methods/lrp/`, `src/methods/oracle.ts`),
 * for the Python package (`python/distillery_torch/lrp.py`) to reproduce from the same seeded weights and batch:
 * per family (one small model of each), its logits and each rule's input relevance (sums and a strided
 * sample of values), then one oracle step with each LRP rule (x* summarised, KD loss terms). The BatchNorms
 * get non-trivial eval statistics from a formula of the channel index (the seeded init's are the identity),
 * so the folding is checked too. Written to `python/tests/fixtures/lrp_steps.json` by
 * `scripts/lrp-steps-fixture.mjs`; `tests/torch/lrpSteps.test.ts` checks the page still computes them.
 */
import * as tf from '@tensorflow/tfjs';
import { defaultMethodParams } from '../../src/contract/methodCatalog';
import type { ModelId } from '../../src/contract/modelCatalog';
import { METHODS } from '../../src/methods';
import { lrpLogits, lrpRelevance } from '../../src/methods/lrp/index';
import { relevanceRule } from '../../src/methods/oracle';
import { LRP_DEFAULTS, type LrpRule } from '../../src/methods/relevance';
import type { Network } from '../../src/models/network';
import { buildNetwork } from '../../src/models/zoo';

/** The oracle's LRP rules (its `rule` parameter). */
export const LRP_RULES = [1, 2, 3] as const;
/**
 * The relevance maps written per family: the oracle's three rules at their defaults, then epsilon and gamma
 * with a stabiliser of 0.01, whose maps are well conditioned: with ε = 1e-6, a denominator near 0 can
 * amplify float32 rounding until the last digits differ between any two float32 implementations.
 */
const RELEVANCE_RULES: readonly LrpRule[] = [
  ...LRP_RULES.map((index) => relevanceRule(index)!),
  { name: 'epsilon', epsilon: 0.01 },
  { name: 'gamma', gamma: LRP_DEFAULTS.gamma, epsilon: 0.01 },
];
/**
 * One model of each family the walker knows. Smaller inputs for the slow ones on tfjs's CPU backend (ResNet50's
 * width, the ShuffleNets' grouped convolutions) keep the script and its vitest around a minute.
 */
export const LRP_MODELS: readonly { model: ModelId; seed: number; size: number }[] = [
  { model: 'tiny-cnn', seed: 301, size: 32 },
  { model: 'resnet8', seed: 302, size: 32 },
  { model: 'resnet50', seed: 303, size: 8 },
  { model: 'wrn_16_1', seed: 304, size: 32 },
  { model: 'vgg8', seed: 305, size: 32 },
  { model: 'mobilenetv2', seed: 306, size: 32 },
  { model: 'shufflev1', seed: 307, size: 16 },
  { model: 'shufflev2', seed: 308, size: 16 },
];
const CLASSES = 10;
const RELEVANCE_TARGETS = [1, 2];
/** Every SAMPLE_STRIDE-th value of a relevance map (NHWC order) is written out. */
export const SAMPLE_STRIDE = 97;
/**
 * The oracle step: two steps of γ = 20 (so x* moves visibly). The tiny CNN teacher keeps its logits on x*
 * well conditioned; through a residual network's sums two such steps amplify float32 rounding (the families'
 * maps above cover those walks).
 */
const ORACLE = { teacher: { model: 'tiny-cnn', seed: 201 }, student: { model: 'tiny-cnn', seed: 101 }, labels: [0, 1, 2, 3, 0, 1, 2, 3], gamma: 20, steps: 2 } as const;

/** Fixed inputs: pixel values sin(0.37·i)·1.5 in NHWC order (Python reads them back as NCHW). */
function batchX(count: number, size: number): tf.Tensor4D {
  const values = Float32Array.from({ length: count * size * size * 3 }, (_, i) => Math.sin(i * 0.37) * 1.5);
  return tf.tensor4d(values, [count, size, size, 3]);
}

/** BatchNorm eval statistics from the channel index c: the same formula in test_lrp_steps.py. */
function perturbBatchNorms(net: Network): void {
  const formulas: Record<string, (c: number) => number> = {
    gamma: (c) => 1 + 0.2 * Math.sin(0.7 * c),
    beta: (c) => 0.1 * Math.cos(1.3 * c),
    runningMean: (c) => 0.1 * Math.sin(0.5 * c),
    runningVariance: (c) => 1 + 0.3 * Math.cos(0.9 * c) ** 2,
  };
  for (const [name, variable] of net.params.named) {
    // Only layers.ts's batchNorm names its variables so (`<layer>/gamma`, ...).
    const formula = formulas[name.split('/').at(-1)!];
    if (formula && variable.rank === 1) {
      variable.assign(tf.tensor1d(Float32Array.from({ length: variable.shape[0]! }, (_, c) => formula(c))));
    }
  }
}

function summary(t: tf.Tensor) {
  const values = t.dataSync() as Float32Array;
  let sum = 0;
  let absSum = 0;
  let maxAbs = 0;
  for (const v of values) {
    sum += v;
    absSum += Math.abs(v);
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  const sample = Array.from({ length: Math.ceil(values.length / SAMPLE_STRIDE) }, (_, k) => values[k * SAMPLE_STRIDE]!);
  return { sum, absSum, maxAbs, sample };
}

function familyRelevance({ model, seed, size }: (typeof LRP_MODELS)[number]) {
  const net = buildNetwork(model, { numClasses: CLASSES, name: `lrp-${model}`, seed });
  const x = batchX(RELEVANCE_TARGETS.length, size);
  const targets = tf.tensor1d(RELEVANCE_TARGETS, 'int32');
  try {
    perturbBatchNorms(net);
    const logits = tf.tidy(() => Array.from(lrpLogits(net, x).dataSync()));
    const relevance = RELEVANCE_RULES.map((rule) => ({ rule, ...tf.tidy(() => summary(lrpRelevance(net, x, targets, rule))) }));
    return { model, seed, size, logits, relevance };
  } finally {
    tf.dispose([x, targets]);
    net.dispose();
  }
}

/** One oracle step per LRP rule: the method's own teacherInput (x*) and losses, teacher in eval mode. */
function oracleSteps() {
  const teacher = buildNetwork(ORACLE.teacher.model, { numClasses: CLASSES, name: 'lrp-oracle-teacher', seed: ORACLE.teacher.seed });
  const student = buildNetwork(ORACLE.student.model, { numClasses: CLASSES, name: 'lrp-oracle-student', seed: ORACLE.student.seed });
  const x = batchX(ORACLE.labels.length, 32);
  const labels = tf.tensor1d([...ORACLE.labels], 'int32');
  try {
    perturbBatchNorms(teacher);
    return LRP_RULES.map((rule) =>
      tf.tidy(() => {
        const params = { ...defaultMethodParams('oracle'), gamma: ORACLE.gamma, steps: ORACLE.steps, rule };
        const xStar = METHODS.oracle.teacherInput!(x, labels, teacher, params);
        const teachers = [teacher.apply(xStar, { training: false })];
        const base = { x, labels, params, epoch: 0, teacherNets: [teacher], teachers, modules: undefined, prepared: undefined };
        const { terms } = METHODS.oracle.losses({ ...base, student: student.apply(x, { training: true }) });
        const scalarTerms = Object.fromEntries(Object.entries(terms).map(([k, v]) => [k, v.dataSync()[0]!]));
        return { rule, params, delta: summary(tf.sub(xStar, x)), terms: scalarTerms };
      }),
    );
  } finally {
    tf.dispose([x, labels]);
    [teacher, student].forEach((n) => n.dispose());
  }
}

export async function lrpStepsFixture() {
  await tf.setBackend('cpu');
  return {
    about: 'Written by scripts/lrp-steps-fixture.mjs from the page code (scripts/torch/lrpSteps.ts); python/tests/test_lrp_steps.py checks distillery_torch against it.',
    input: 'x[b, h, w, c] = sin(0.37 * i) * 1.5 with i the NHWC row-major index',
    batchNorm: 'gamma = 1 + 0.2 sin(0.7c), beta = 0.1 cos(1.3c), runningMean = 0.1 sin(0.5c), runningVariance = 1 + 0.3 cos(0.9c)^2',
    numClasses: CLASSES,
    sampleStride: SAMPLE_STRIDE,
    targets: RELEVANCE_TARGETS,
    families: LRP_MODELS.map(familyRelevance),
    oracle: { teacher: ORACLE.teacher, student: ORACLE.student, labels: ORACLE.labels, steps: oracleSteps() },
  };
}
