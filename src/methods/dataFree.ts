/**
 * Data-free distillation (TA-DFKD, Shin & Choi, AAAI 2024; bigdata-inha/TA-DFKD-Official), and its "basic"
 * ablation. The student never sees a training image: a generator makes them.
 *
 * - Student batch: fresh noise through the (detached) generator; the teacher pseudo-labels the plain
 *   normalised "test view" and scores each image by −log max softmax; a 2-component GMM on those losses
 *   keeps the clean (low-loss) ones, whose cropped-and-flipped "train view" joins the batch until it holds
 *   exactly B. The student matches the teacher's logits on it: L1 = mean |s − t|. Basic keeps every image.
 * - Generator step, every `studentSteps` student steps (Adam): on clean samples of a new batch,
 *   L_G = L_adv + w_bns·L_BNS + 1.5e-5·L_TV + 6e-3·‖x̃‖₂, where L_adv = 1 − JS(student ‖ teacher) rewards
 *   disagreement (basic: on every sample, teacher detached), L_BNS pulls the teacher's batch statistics
 *   toward its running ones, and the TV and norm terms keep images smooth and bounded.
 */
import * as tf from '@tensorflow/tfjs';
import { selectCleanSamples } from '../core/gmm';
import type { Rng } from '../core/random';
import { createGenerator, type Generator } from '../models/generator';
import type { Network } from '../models/network';
import { METHOD_CATALOG, type MethodSpec } from '../contract/methodCatalog';
import { DFKD_GENERATOR_WEIGHTS, bnStatisticsLoss, dfkdAdversarialLoss, dfkdStudentLoss, euclideanNorm, pseudoLabelLosses, totalVariationLoss } from './dfkdLosses';
import { detach } from './losses';
import { defineMethod, param, type SynthesisInputs, type Synthesized } from './method';

interface DataFreeModules {
  readonly generator: Generator;
  readonly optimizer: tf.Optimizer;
  /** Student steps since the last generator step. */
  stepsSinceGenerator: number;
}

/** Zero padding of the train view's random crop, as torchvision's RandomCrop(32, padding=4) (any side). */
const CROP_PAD = 4;
/** Draws of fresh noise one student batch may take before it gives up on selection and keeps everything. */
const MAX_DRAWS = 20;

function dataFreeMethod(spec: MethodSpec, select: boolean) {
  return defineMethod<DataFreeModules, undefined>({
    spec,
    createModules({ params, seed, imageSide }) {
      const generator = createGenerator({ nz: param(params, 'nz'), ngf: param(params, 'ngf'), imageSize: imageSide, name: 'generator', seed });
      return { generator, optimizer: tf.train.adam(param(params, 'generatorLr')), stepsSinceGenerator: 0 };
    },
    disposeModules({ generator, optimizer }) {
      optimizer.dispose();
      generator.dispose();
    },
    synthesize: (inputs) => studentBatch(inputs, select),
    afterStep: (inputs) => generatorStep(inputs, select),
    samples({ modules, teacherNets, normalize, rng }, count) {
      return tf.tidy(() => {
        const images = modules.generator.apply(modules.generator.sample(count, rng));
        const labels = tf.argMax(teacherNets[0]!.apply(normalize(images), { training: false }).logits, 1) as tf.Tensor1D;
        return { images, labels };
      });
    },
    losses: ({ student, teachers }) => ({ terms: { l1: dfkdStudentLoss(student.logits, teachers[0]!.logits) } }),
  });
}

export const taDfkd = dataFreeMethod(METHOD_CATALOG['ta-dfkd'], true);
export const dfkdBasic = dataFreeMethod(METHOD_CATALOG['dfkd-basic'], false);

/**
 * The train view: one random crop (zero padding 4) and flip shared by the whole batch, as torchvision's
 * tensor transforms apply them. Written with pad/slice/reverse so gradients reach the generator.
 */
export function trainView(images01: tf.Tensor4D, rng: Rng): tf.Tensor4D {
  const [, height, width] = images01.shape;
  const dy = rng.int(2 * CROP_PAD + 1);
  const dx = rng.int(2 * CROP_PAD + 1);
  const flip = rng.next() < 0.5;
  return tf.tidy(() => {
    const padded = tf.pad(images01, [[0, 0], [CROP_PAD, CROP_PAD], [CROP_PAD, CROP_PAD], [0, 0]]);
    const cropped = tf.slice(padded, [0, dy, dx, 0], [-1, height, width, -1]);
    return flip ? tf.reverse(cropped, 2) : cropped;
  });
}

/** Indices of the images to keep: the GMM's clean ones, or all of them without selection. */
async function cleanIndices(teacher: Network, testView: tf.Tensor4D, select: boolean): Promise<{ kept: number[]; drawn: number }> {
  const drawn = testView.shape[0];
  if (!select) return { kept: Array.from({ length: drawn }, (_, i) => i), drawn };
  const losses = tf.tidy(() => pseudoLabelLosses(teacher.apply(testView, { training: false }).logits).losses);
  const values = await losses.data();
  losses.dispose();
  const { keep } = selectCleanSamples(values);
  return { kept: [...keep.keys()].filter((i) => keep[i]), drawn };
}

/** Shuffles `items` in place with `rng` (Fisher-Yates) and returns it. */
function shuffled<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** The student's batch: clean train-view samples of fresh generated batches, exactly `batchSize` of them. */
async function studentBatch({ modules, teacherNets, batchSize, normalize, rng }: SynthesisInputs<DataFreeModules>, select: boolean): Promise<Synthesized> {
  const teacher = teacherNets[0]!;
  const parts: tf.Tensor4D[] = [];
  let count = 0;
  let drawn = 0;
  let kept = 0;
  try {
    for (let draw = 0; count < batchSize; draw++) {
      const images = tf.tidy(() => modules.generator.apply(modules.generator.sample(batchSize, rng)));
      try {
        const testView = tf.tidy(() => normalize(images));
        // After MAX_DRAWS a batch is filled without selection rather than never (a GMM can keep very few).
        const clean = await cleanIndices(teacher, testView, select && draw < MAX_DRAWS).finally(() => testView.dispose());
        drawn += clean.drawn;
        kept += clean.kept.length;
        // When the next addition would overflow the batch, a random subset of it fills the batch exactly.
        const take = clean.kept.length > batchSize - count ? shuffled(clean.kept, rng).slice(0, batchSize - count) : clean.kept;
        if (take.length === 0) continue;
        parts.push(tf.tidy(() => tf.gather(normalize(trainView(images, rng)), tf.tensor1d(take, 'int32'))));
        count += take.length;
      } finally {
        images.dispose();
      }
    }
    const x = parts.length === 1 ? parts[0]! : tf.concat(parts);
    const labels = tf.tidy(() => pseudoLabelLosses(teacher.apply(x, { training: false }).logits).labels);
    if (parts.length > 1) tf.dispose(parts);
    const diagnostics: Record<string, number> = select ? { selected: kept / drawn } : {};
    return { batch: { x, labels }, diagnostics };
  } catch (error) {
    tf.dispose(parts);
    throw error;
  }
}

/** One Adam step of the generator every `studentSteps` student steps; its loss and parts as diagnostics. */
async function generatorStep({ modules, params, teacherNets, student, batchSize, normalize, rng }: SynthesisInputs<DataFreeModules>, select: boolean): Promise<Readonly<Record<string, number>>> {
  modules.stepsSinceGenerator += 1;
  if (modules.stepsSinceGenerator < param(params, 'studentSteps')) return {};
  modules.stepsSinceGenerator = 0;
  const teacher = teacherNets[0]!;
  const { generator } = modules;
  const z = generator.sample(batchSize, rng);
  try {
    // Selection reads the teacher's losses back, so it runs before the taped pass, on the same images.
    let kept = Array.from({ length: batchSize }, (_, i) => i);
    if (select) {
      const testView = tf.tidy(() => normalize(generator.apply(z)));
      kept = (await cleanIndices(teacher, testView, true).finally(() => testView.dispose())).kept;
    }
    const readouts: tf.Scalar[] = [];
    const cost = modules.optimizer.minimize(
      () => {
        const images = generator.apply(z);
        const view = normalize(trainView(images, rng));
        const chosen = kept.length === batchSize ? view : tf.gather(view, tf.tensor1d(kept, 'int32'));
        const { result: teacherLogits, statistics } = teacher.params.observeBatchStatistics(() => teacher.apply(chosen, { training: false }).logits);
        const studentLogits = student.apply(chosen, { training: true }).logits;
        const adversarial = dfkdAdversarialLoss(studentLogits, select ? teacherLogits : (detach(teacherLogits) as tf.Tensor2D));
        const bns = bnStatisticsLoss(statistics);
        const total = tf.addN([
          tf.mul(adversarial, DFKD_GENERATOR_WEIGHTS.adversarial),
          tf.mul(bns, param(params, 'bnsWeight')),
          tf.mul(totalVariationLoss(view), DFKD_GENERATOR_WEIGHTS.tv),
          tf.mul(euclideanNorm(view), DFKD_GENERATOR_WEIGHTS.l2),
        ]) as tf.Scalar;
        readouts.push(tf.keep(tf.sub(1, adversarial)) as tf.Scalar, tf.keep(bns));
        return total;
      },
      true,
      generator.params.trainable as tf.Variable[],
    );
    const [loss, disagreement, bns] = await Promise.all([cost!, ...readouts].map((t) => t.data().then((v) => v[0]!)));
    tf.dispose([cost!, ...readouts]);
    return { 'generator loss': loss!, 'teacher-student JS': disagreement!, 'BN-statistics loss': bns! };
  } finally {
    z.dispose();
  }
}
