import * as tf from '@tensorflow/tfjs';
import { headPoolsLastStage } from '../contract/modelCatalog';
import { batchNorm, conv2d, globalAveragePool } from '../models/layers';
import { resizeBilinearHalfPixel } from '../models/resize';
import { METHOD_CATALOG } from '../contract/methodCatalog';
import { crossEntropyPerSample } from './losses';
import { defineMethod, param } from './method';
import { kdPerTeacher, stackLogits, teacherWeightDiagnostics, weightedMean } from './multiTeacherLosses';
import { camkdLogitWeights } from './multiTeacherWeights';
import { ceTerm } from './terms';

interface Embedder {
  readonly size: readonly [number, number];
  apply(x: tf.Tensor4D): tf.Tensor4D;
}

/** The student's last feature map at the teacher's resolution: adaptive average pooling down, bilinear up. */
function resizeTo(x: tf.Tensor4D, [h, w]: readonly [number, number]): tf.Tensor4D {
  const hs = x.shape[1];
  if (hs === h) return x;
  if (hs > h && hs % h === 0) return tf.avgPool(x, hs / h, hs / h, 'valid');
  return resizeBilinearHalfPixel(x, [h, w]); // align_corners=False, as the reference
}

/**
 * CA-MKD (`--distill inter`): CE + alpha·Σ w^KD·KL/(B·M) + beta·Σ w^inter·MSE/(B·M), with w^KD from the
 * teachers' CE on the labels (constants) and w^inter from the CE of each teacher's frozen head applied to
 * the projected student features (not detached). The feature term is left out of the first epoch.
 */
export const camkd = defineMethod({
  spec: METHOD_CATALOG.camkd,
  createModules: ({ store, student, teachers }): Embedder[] =>
    teachers.map((teacher, m) => {
      if (!headPoolsLastStage(teacher.model)) throw new Error(`CA-MKD cannot use ${teacher.model} as a teacher: its head does not take its last stage`);
      const source = student.shapes.stages[student.shapes.stages.length - 1]!;
      const target = teacher.shapes.stages[teacher.shapes.stages.length - 1]!;
      const conv = conv2d(store, `embedder${m}/conv`, { inChannels: source[2]!, outChannels: target[2]!, kernelSize: 1, pad: 0, bias: true });
      const bn = batchNorm(store, `embedder${m}/bn`, target[2]!);
      return { size: [target[0]!, target[1]!] as const, apply: (x) => tf.relu(bn.apply(conv.apply(x), true)) };
    }),
  losses({ student, teachers, teacherNets, labels, params, epoch, modules }) {
    const m = teachers.length;
    const spread = (w: tf.Tensor2D) => tf.div(tf.sub(1, w), m - 1) as tf.Tensor2D;
    const logitWeights = camkdLogitWeights(stackLogits(teachers), labels);
    const terms: Record<string, tf.Scalar> = {
      ce: ceTerm({ student, labels, params }),
      kd: tf.mul(weightedMean(logitWeights, kdPerTeacher(student.logits, teachers, param(params, 'T'))), param(params, 'alpha')),
    };
    const diagnostics = teacherWeightDiagnostics(logitWeights, 'logit weight teacher');
    if (epoch > 0) {
      const fs = student.features.stages[student.features.stages.length - 1]!;
      const projected = modules.map((embed) => embed.apply(resizeTo(fs, embed.size)));
      // Softmax over teachers of each teacher head's CE on the projected student features.
      const headCe = tf.stack(projected.map((h, i) => crossEntropyPerSample(teacherNets[i]!.head(globalAveragePool(h)), labels))) as tf.Tensor2D;
      const interWeights = spread(tf.transpose(tf.softmax(tf.transpose(headCe))) as tf.Tensor2D);
      const mse = tf.stack(projected.map((h, i) => tf.mean(tf.squaredDifference(h, teachers[i]!.features.stages.at(-1)!), [1, 2, 3]))) as tf.Tensor2D;
      terms.inter = tf.mul(weightedMean(interWeights, mse), param(params, 'beta'));
      Object.assign(diagnostics, teacherWeightDiagnostics(interWeights, 'feature weight teacher'));
    }
    return { terms, diagnostics };
  },
});
