/**
 * The panels' claims measured on the ready teachers (`npm run reproduce:teachers`), with the page's own code:
 *
 * - The explainable oracle's teacher against the plain one: the teacher's test responses on x* (the page's
 *   `responses` inspection, what the t-SNE panel reads: x* exactly as the oracle builds it, with the true
 *   labels, at the run's batch scale γ/64) and on x (γ = 0), scored as the calibration panel scores them:
 *   20 bins, T fitted on the test images (the seed paper's protocol) or held out: fitted on one half of
 *   the test images and scored on the other (the run's hold-out is no hold-out for a ready teacher, which
 *   trained on the whole subset).
 * - CA-MKD's weights for a strong and a weak teacher: `camkdLogitWeights` over the run's training images.
 *   They are a function of the teachers' losses only, not of the student, so these are the weights every
 *   CA-MKD run with these two teachers gives these images (unaugmented here; a run's batches are cropped and
 *   flipped).
 */
import * as tf from '@tensorflow/tfjs';
import type { BatchSource } from '../../src/data/batches';
import type { Network } from '../../src/models/network';
import { camkdLogitWeights } from '../../src/methods/multiTeacherWeights';
import type { ReadyTeacher } from '../../src/contract/readyTeachers';
import { planRun } from '../../src/training/plan';
import { runSources, type RunData } from '../../src/training/run';
import { inspect } from '../../src/training/inspect';
import { fitTemperature, reliabilityBins } from '../../src/core/calibration';
import { accuracy, softmaxRows } from '../../src/core/metrics';
import { calibrationOf } from '../../src/viz/reliability';
import { readyTeacherLoader } from './readyTeacher';
import { reproductionConfig } from './recipe';
import type { ReproductionOptions } from './options';

/** The seed paper's bins. */
export const ORACLE_ECE_BINS = 20;

export interface TeacherCalibration {
  readonly gamma: number;
  readonly accuracy: number;
  readonly eceRaw: number;
  /** T fitted on the test images themselves, then scored on them (the seed paper's protocol). */
  readonly seedProtocol: { readonly temperature: number; readonly ece: number };
  /**
   * Held out: T fitted on one half of the test images, scored on the other (both ways). Not the run's
   * hold-out: the ready teachers trained on the whole subset, so it is not held out from them.
   */
  readonly crossFitted: { readonly temperatures: readonly [number, number]; readonly ece: number };
}

export interface CamkdWeights {
  /** Mean weight per teacher over the images, in the order given. */
  readonly meanWeight: readonly number[];
  /** Share of images on which each teacher gets the larger weight. */
  readonly favoured: readonly number[];
  /** Each teacher's accuracy on those images. */
  readonly accuracy: readonly number[];
  readonly images: number;
}

/** The oracle reproduction run's training and test images for `seed` (its hold-out left out, as the run leaves it). */
export function reproductionSources(options: ReproductionOptions, teacher: ReadyTeacher, data: RunData, seed: number): { train: BatchSource; test: BatchSource; batch: number } {
  const config = reproductionConfig(options, teacher, seed, 'oracle');
  const plan = planRun(config, { trainCount: data.train.count, testCount: data.test.count });
  const { train, holdout, test } = runSources(config, plan, data);
  holdout?.dispose();
  return { train, test, batch: plan.batch };
}

/** The ready teacher's network, read and checked as a run reads it. */
export function loadReadyTeacher(teachersDir: string, teacher: ReadyTeacher, data: RunData): Promise<Network> {
  const planned = { key: `ready-${teacher.id}`, role: 'teacher' as const, label: teacher.label, model: teacher.model, method: 'scratch' as const, initSeed: 0, savedModel: teacher.savedModelId };
  return readyTeacherLoader(teachersDir, teacher)(teacher.savedModelId, planned, { numClasses: data.numClasses, normalization: data.normalization });
}

/** The teacher on x* at `gamma` (0: on x) over the test images, calibrated under both protocols. */
export async function teacherCalibration(net: Network, sources: { test: BatchSource; batch: number }, normalization: RunData['normalization'], gamma: number): Promise<TeacherCalibration> {
  const models = [{ key: 'teacher', label: 'teacher', net }];
  const test = await inspect({ kind: 'responses', model: 'teacher', gamma, rule: 0 }, { models, test: sources.test, normalization, batch: sources.batch });
  const seed = calibrationOf(test.logits, test.labels, test.numClasses, ORACLE_ECE_BINS);
  return {
    gamma,
    accuracy: accuracy(test.logits, test.labels, test.numClasses),
    eceRaw: seed.raw.ece,
    seedProtocol: { temperature: seed.temperature, ece: seed.scaled.ece },
    crossFitted: crossFittedCalibration(test.logits, test.labels, test.numClasses, ORACLE_ECE_BINS),
  };
}

/**
 * Temperature scaling that never scores the images it was fitted on, for a model whose every training image
 * is unknown or used: T fitted on the even-numbered test images scales the odd ones and the other way round,
 * and the ECE is over all of them.
 */
export function crossFittedCalibration(logits: Float32Array, labels: Uint8Array, numClasses: number, bins: number): { readonly temperatures: readonly [number, number]; readonly ece: number } {
  const half = (parity: number) => {
    const rows = Array.from({ length: labels.length }, (_, i) => i).filter((i) => i % 2 === parity);
    const part = new Float32Array(rows.length * numClasses);
    rows.forEach((i, r) => part.set(logits.subarray(i * numClasses, (i + 1) * numClasses), r * numClasses));
    return { rows, logits: part, labels: Uint8Array.from(rows, (i) => labels[i]!) };
  };
  const halves = [half(0), half(1)] as const;
  const temperatures = [fitTemperature(halves[0].logits, halves[0].labels, numClasses), fitTemperature(halves[1].logits, halves[1].labels, numClasses)] as const;
  const probs = new Float32Array(logits.length);
  halves.forEach((h, k) => {
    const scaled = softmaxRows(h.logits, numClasses, temperatures[1 - k]!);
    h.rows.forEach((i, r) => probs.set(scaled.subarray(r * numClasses, (r + 1) * numClasses), i * numClasses));
  });
  return { temperatures, ece: reliabilityBins(probs, labels, numClasses, bins).ece };
}

/** CA-MKD's logit weights for `teachers` on every image of `source`, in batches of `batch`. */
export async function camkdWeights(teachers: readonly Network[], source: BatchSource, batch: number): Promise<CamkdWeights> {
  const m = teachers.length;
  const weightSums = new Float64Array(m);
  const favouredCounts = new Float64Array(m);
  const correctCounts = new Float64Array(m);
  const count = source.set.count;
  for (let start = 0; start < count; start += batch) {
    const { x, labels, valid } = source.evalBatch(start, batch);
    const out = tf.tidy(() => {
      const logits = tf.stack(teachers.map((t) => t.apply(x, { training: false }).logits)) as tf.Tensor3D;
      return { weights: camkdLogitWeights(logits, labels), top: tf.argMax(logits, 2) };
    });
    const [weights, top, truth] = await Promise.all([out.weights.data(), out.top.data(), labels.data()]);
    tf.dispose([x, labels, out.weights, out.top]);
    const width = weights.length / m;
    for (let b = 0; b < valid; b++) {
      let best = 0;
      for (let k = 0; k < m; k++) {
        weightSums[k] = weightSums[k]! + weights[k * width + b]!;
        if (weights[k * width + b]! > weights[best * width + b]!) best = k;
        if (top[k * width + b] === truth[b]) correctCounts[k] = correctCounts[k]! + 1;
      }
      favouredCounts[best] = favouredCounts[best]! + 1;
    }
  }
  const share = (sums: Float64Array) => Array.from(sums, (s) => s / count);
  return { meanWeight: share(weightSums), favoured: share(favouredCounts), accuracy: share(correctCounts), images: count };
}

export interface TeacherReport {
  readonly testImages: number;
  readonly oracle: readonly TeacherCalibration[];
  readonly camkd: { readonly teachers: readonly ReadyTeacher[]; readonly weights: CamkdWeights };
}

const pct = (f: number) => `${(f * 100).toFixed(1)}%`;

/** The report as the README records it: two Markdown tables. */
export function teacherReportMarkdown(report: TeacherReport, teacher: ReadyTeacher): string {
  const oracleRows = report.oracle.map((r) => `| ${r.gamma === 0 ? '0 (plain teacher, x)' : `${r.gamma} (oracle teacher, x*)`} | ${pct(r.accuracy)} | ${r.eceRaw.toFixed(4)} | ${r.seedProtocol.ece.toFixed(4)} (T ${r.seedProtocol.temperature.toFixed(2)}) | ${r.crossFitted.ece.toFixed(4)} (T ${r.crossFitted.temperatures.map((t) => t.toFixed(2)).join(', ')}) |`);
  const { teachers, weights } = report.camkd;
  return [
    `The ready ${teacher.label} on the ${report.testImages} test images, ECE with ${ORACLE_ECE_BINS} bins:`,
    '',
    '| γ | Accuracy | ECE | ECE, T fitted on the test images (seed protocol) | ECE, T fitted on the other half (held out) |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...oracleRows,
    '',
    `CA-MKD's weights over ${weights.images} training images:`,
    '',
    '| Teacher | Accuracy on these images | Mean weight | Gets the larger weight on |',
    '| --- | ---: | ---: | ---: |',
    ...teachers.map((t, k) => `| ${t.label} (${t.savedModelId}) | ${pct(weights.accuracy[k]!)} | ${weights.meanWeight[k]!.toFixed(3)} | ${pct(weights.favoured[k]!)} |`),
  ].join('\n');
}
