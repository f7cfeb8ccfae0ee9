/**
 * REFILLED (Ye, Lu, Zhan, CVPR 2020; njulus/REFILLED at HEAD), two stages:
 * 1. embedding: the whole student learns the teacher's semihard-triplet similarities on the penultimate
 *    embedding, no labels in the loss; after each epoch the nearest-class-mean accuracy on the test subset
 *    scores it, and the best epoch's weights start stage 2;
 * 2. classifier: global class centres are summed once from the teacher's embeddings of the (augmented)
 *    training subset, the classifier restarts from random weights, and the loss is
 *    CE + λ·KL(softmax(t/τ2) ‖ softmax(s_K/τ2)) over the classes K in the batch.
 */
import * as tf from '@tensorflow/tfjs';
import { nearestClassMeanAccuracy } from '../core/metrics';
import type { Rng } from '../core/random';
import type { BatchSource } from '../data/batches';
import type { Dense } from '../models/layers';
import type { Network } from '../models/network';
import { METHOD_CATALOG } from '../contract/methodCatalog';
import { crossEntropy } from './losses';
import { defineMethod, param } from './method';
import { refilledLocalKd, refilledTripletLoss } from './refilledLosses';

interface RefilledModules {
  /** [C, D] per-class sums of the teacher's embeddings (normalised where used); set before stage 2. */
  readonly centres: tf.Variable;
}

export const refilled = defineMethod<RefilledModules, undefined>({
  spec: METHOD_CATALOG.refilled,
  createModules({ store, teachers, numClasses }) {
    const dim = teachers[0]?.shapes.penultimate[0];
    if (dim === undefined) throw new Error('REFILLED needs a teacher');
    return { centres: store.create('centres', [numClasses, dim], new Float32Array(numClasses * dim), false) };
  },
  earlyStages: [
    {
      id: 'embedding',
      losses({ student, teachers, labels, params }) {
        const teacher = teachers[0]!;
        const { loss, triplets } = refilledTripletLoss(student.features.penultimate, teacher.features.penultimate, labels, param(params, 'tau1'), param(params, 'margin'));
        return { terms: { triplet: loss }, diagnostics: { triplets: tf.cast(triplets, 'float32') as tf.Scalar } };
      },
      score: async ({ student, test, batch }) => ({ name: 'ncmAccuracy', value: nearestClassMeanAccuracy(await embeddings(student, test, batch), test.set.labels.subarray(0, test.set.count), student.numClasses) }),
    },
  ],
  async prepareMainStage({ student, teacherNets, modules, numClasses, rng, forEachTrainingBatch }) {
    const teacher = teacherNets[0]!;
    let sums: tf.Tensor2D = tf.zeros(modules.centres.shape as [number, number]);
    await forEachTrainingBatch(({ x, labels }) => {
      const next = tf.tidy(() => {
        const embedding = teacher.apply(x, { training: false }).features.penultimate;
        return tf.add(sums, tf.matMul(tf.oneHot(labels, numClasses).toFloat(), embedding, true, false)) as tf.Tensor2D;
      });
      sums.dispose();
      sums = next;
    });
    modules.centres.assign(sums);
    sums.dispose();
    restartClassifier(student.classifier, rng);
  },
  losses({ student, teachers, labels, params, modules }) {
    const teacher = teachers[0]!;
    const kd = refilledLocalKd(student.logits, teacher.features.penultimate, modules.centres as tf.Tensor2D, labels, param(params, 'tau2'));
    return { terms: { ce: crossEntropy(student.logits, labels), kd: tf.mul(kd, param(params, 'lambda')) } };
  },
});

/** The student's embeddings of the whole set, eval mode, row-major [N, D]. */
async function embeddings(net: Network, source: BatchSource, batchSize: number): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  for (let start = 0; start < source.set.count; start += batchSize) {
    const batch = source.evalBatch(start, batchSize);
    const features = tf.tidy(() => net.apply(batch.x, { training: false }).features.penultimate);
    tf.dispose([batch.x, batch.labels]);
    const values = (await features.data()) as Float32Array;
    parts.push(values.subarray(0, batch.valid * features.shape[1]));
    features.dispose();
  }
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((offset, p) => (out.set(p, offset), offset + p.length), 0);
  return out;
}

/** PyTorch's default Linear initialisation (uniform ±1/√in for weight and bias): stage 2's classifier starts afresh. */
function restartClassifier(classifier: Dense, rng: Rng): void {
  const [inputs, outputs] = classifier.weight.shape as [number, number];
  const bound = 1 / Math.sqrt(inputs);
  const uniform = (count: number) => Float32Array.from({ length: count }, () => (rng.next() * 2 - 1) * bound);
  tf.tidy(() => {
    classifier.weight.assign(tf.tensor2d(uniform(inputs * outputs), [inputs, outputs]));
    classifier.bias.assign(tf.tensor1d(uniform(outputs)));
  });
}
