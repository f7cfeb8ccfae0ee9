/**
 * Reading ../shared/parity (or the folder named by KD_PARITY_DIR) and comparing numbers by the fixtures'
 * rule |got - exp| <= tol * max(1, |exp|). The assets' README says what each field holds.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { readSafetensors } from '../../src/interop/pytorch/safetensors';

type Nested = number | Nested[];

export interface ParityModel {
  readonly model: string;
  readonly numClasses: number;
  readonly file: string;
  readonly layout: string;
  readonly parameters: number;
  readonly logits: number[][];
  readonly features: string[];
}

interface Step {
  readonly trainImages: Nested[];
  readonly trainLabels: number[];
  readonly T: number;
  readonly ceWeight: number;
  readonly alpha: number;
  readonly loss: number;
  readonly studentLogitsAfter: number[][];
  readonly studentBatchNormRunningStatsAfter: Record<string, number[]>;
}

export interface ParityAssets {
  readonly dir: string;
  readonly normalize: { readonly mean: [number, number, number]; readonly std: [number, number, number] };
  readonly testImages: Nested[];
  readonly testLabels: number[];
  readonly models: ParityModel[];
  readonly kdStep: Step & { teacher: string; student: string; sgd: { lr: number; momentum: number; weightDecay: number; nesterov: boolean } };
  readonly oracleStep: Omit<Step, 'trainImages' | 'trainLabels'> & { gamma: number; xStarFirstImage: number[]; teacherLogitsOnXStar: number[][] };
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function parityDir(): string {
  return resolve(root, process.env.KD_PARITY_DIR ?? '../shared/parity');
}

export function loadParity(dir = parityDir()): ParityAssets {
  return { dir, ...(JSON.parse(readFileSync(resolve(dir, 'parity.json'), 'utf8')) as Omit<ParityAssets, 'dir'>) };
}

export function readParityFile(assets: ParityAssets, file: string): Uint8Array {
  return new Uint8Array(readFileSync(resolve(assets.dir, file)));
}

/** features.safetensors: NCHW (or [N, C]) float32 by key. */
export function loadFeatures(assets: ParityAssets): Map<string, { shape: readonly number[]; values: Float32Array }> {
  const tensors = readSafetensors(readParityFile(assets, 'features.safetensors'));
  return new Map([...tensors].map(([key, t]) => [key, { shape: t.shape, values: t.toFloat32() }]));
}

export function flat(values: Nested | Nested[]): number[] {
  return (values as Nested[]).flat(Infinity as 1) as number[];
}

/** uint8 NCHW images -> normalised NHWC, as the project's BatchSource normalises. */
export function imageBatch(images: Nested[], normalize: ParityAssets['normalize']): tf.Tensor4D {
  return tf.tidy(() => {
    const nchw = tf.tensor4d(flat(images), [images.length, 3, 32, 32]);
    const nhwc = tf.transpose(tf.div(nchw, 255), [0, 2, 3, 1]) as tf.Tensor4D;
    return tf.div(tf.sub(nhwc, tf.tensor1d(normalize.mean)), tf.tensor1d(normalize.std)) as tf.Tensor4D;
  });
}

/** A 4-D NHWC tensor as NCHW values (PyTorch's order); a 2-D tensor as it is. */
export function torchOrder(t: tf.Tensor): Float32Array {
  return tf.tidy(() => (t.rank === 4 ? tf.transpose(t, [0, 3, 1, 2]) : t).dataSync() as Float32Array);
}

export interface Comparison {
  readonly ok: boolean;
  /** The worst |got - exp| / max(1, |exp|), and where. */
  readonly worst: number;
  readonly at: number;
  readonly detail: string;
}

export function compare(got: ArrayLike<number>, expected: ArrayLike<number>, tol: number): Comparison {
  if (got.length !== expected.length) return { ok: false, worst: Infinity, at: -1, detail: `${got.length} values where ${expected.length} were expected` };
  let worst = 0;
  let at = 0;
  for (let i = 0; i < got.length; i++) {
    const error = Math.abs(got[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!));
    if (!(error <= worst)) {
      worst = error;
      at = i;
    }
  }
  const ok = worst <= tol;
  return { ok, worst, at, detail: `worst relative error ${worst.toExponential(2)} at ${at} (got ${got[at]}, expected ${expected[at]})` };
}
