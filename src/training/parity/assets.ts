/**
 * The PyTorch parity assets (../shared/parity/README.md) as plain data, and the fixtures' comparison rule
 * |got - exp| <= tol * max(1, |exp|). DOM-free and file-system-free: the Node parity test reads the files
 * from disk, the check page fetches them; both hand the bytes here.
 */
import * as tf from '@tensorflow/tfjs';
import { readSafetensors } from '../../interop/pytorch/safetensors';

export type Nested = number | Nested[];

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

/** parity.json. */
export interface ParityJson {
  readonly normalize: { readonly mean: [number, number, number]; readonly std: [number, number, number] };
  readonly testImages: Nested[];
  readonly testLabels: number[];
  readonly models: ParityModel[];
  readonly kdStep: Step & { teacher: string; student: string; sgd: { lr: number; momentum: number; weightDecay: number; nesterov: boolean } };
  readonly oracleStep: Omit<Step, 'trainImages' | 'trainLabels'> & { gamma: number; xStarFirstImage: number[]; teacherLogitsOnXStar: number[][] };
}

export interface FeatureTensor {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** parity.json, the features and a way to read any checkpoint the JSON names. */
export interface ParitySource extends ParityJson {
  readonly features: ReadonlyMap<string, FeatureTensor>;
  /** The bytes of one file of the assets; throws when it is missing. */
  readonly readFile: (file: string) => Uint8Array;
}

/** Checks the parts of parity.json the checks index into; the assets come from a folder or a URL. */
export function parseParityJson(data: unknown): ParityJson {
  const json = data as Partial<ParityJson> | null;
  if (!json || typeof json !== 'object') throw new Error('parity.json is not an object');
  const missing = (['normalize', 'testImages', 'testLabels', 'models', 'kdStep', 'oracleStep'] as const).filter((k) => json[k] === undefined);
  if (missing.length > 0) throw new Error(`parity.json lacks ${missing.join(', ')}`);
  if (!Array.isArray(json.models) || json.models.length === 0) throw new Error('parity.json lists no models');
  return json as ParityJson;
}

/** features.safetensors: NCHW (or [N, C]) float32 by key. */
export function readFeatures(bytes: Uint8Array): Map<string, FeatureTensor> {
  const tensors = readSafetensors(bytes);
  return new Map([...tensors].map(([key, t]) => [key, { shape: t.shape, values: t.toFloat32() }]));
}

export function flat(values: Nested | Nested[]): number[] {
  return (values as Nested[]).flat(Infinity as 1) as number[];
}

/** uint8 NCHW images -> normalised NHWC, as the project's BatchSource normalises. */
export function imageBatch(images: Nested[], normalize: ParityJson['normalize']): tf.Tensor4D {
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
  /** How many values were compared. */
  readonly count: number;
  readonly detail: string;
}

export function compare(got: ArrayLike<number>, expected: ArrayLike<number>, tol: number): Comparison {
  if (got.length !== expected.length) return { ok: false, worst: Infinity, at: -1, count: 0, detail: `${got.length} values where ${expected.length} were expected` };
  let worst = 0;
  let at = 0;
  for (let i = 0; i < got.length; i++) {
    const error = Math.abs(got[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!));
    if (!(error <= worst)) {
      worst = error;
      at = i;
    }
  }
  // Nothing compared is not a pass.
  const ok = worst <= tol && got.length > 0;
  return { ok, worst, at, count: got.length, detail: `worst relative error ${worst.toExponential(2)} at ${at} (got ${got[at]}, expected ${expected[at]})` };
}
