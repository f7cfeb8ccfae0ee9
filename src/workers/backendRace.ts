/**
 * The automatic choice where WebGPU is emulated on the CPU or absent: a couple of training steps of a small
 * network on each candidate, then the fastest, with a sentence saying what was chosen and why.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../config/runConfig';
import { keyedRng } from '../core/random';
import { buildNetwork } from '../models/zoo';

/** Probe size: small enough that emulated WebGPU answers in seconds, large enough to be representative. */
const PROBE_BATCH = 8;
const PROBE_TIMED_STEPS = 2;
/** What the probe times, part of a remembered choice's key: a different probe measures anew. */
export const PROBE_DESCRIPTION = `tiny-cnn training step, batch ${PROBE_BATCH}, ${PROBE_TIMED_STEPS} timed steps`;

const LABELS: Readonly<Record<BackendName, string>> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WebAssembly', cpu: 'the CPU backend' };

export function backendLabel(name: BackendName): string {
  return LABELS[name];
}

/** Seconds per image of a tiny-cnn training step (forward, backward, SGD update) on the active backend. */
export async function probeSecondsPerImage(): Promise<number> {
  const net = buildNetwork('tiny-cnn', { numClasses: 10, name: `backend-probe-${tf.getBackend()}`, seed: 1 });
  const rng = keyedRng(1, 'backend-probe');
  const pixels = Float32Array.from({ length: PROBE_BATCH * 32 * 32 * 3 }, () => rng.normal());
  const x = tf.tensor4d(pixels, [PROBE_BATCH, 32, 32, 3]);
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from({ length: PROBE_BATCH }, (_, i) => i % 10), 'int32'), 10));
  const step = async () => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, net.apply(x, { training: true }).logits) as tf.Scalar, net.params.trainable as tf.Variable[]);
      for (const variable of net.params.trainable) variable.assign(tf.sub(variable, tf.mul(grads[variable.name]!, 0.01)));
      return value;
    });
    await loss.data();
    loss.dispose();
  };
  try {
    await step(); // compiles shaders, allocates buffers: not timed
    const start = performance.now();
    for (let i = 0; i < PROBE_TIMED_STEPS; i++) await step();
    return (performance.now() - start) / 1000 / (PROBE_TIMED_STEPS * PROBE_BATCH);
  } finally {
    tf.dispose([x, labels]);
    net.dispose();
  }
}

export interface RaceEntry {
  readonly backend: BackendName;
  readonly secondsPerImage: number;
}

/** The sentence the status bar shows: what was chosen over what, and how much faster it measured. */
export function choiceSentence(why: string, entries: readonly RaceEntry[]): string {
  const sorted = [...entries].sort((a, b) => a.secondsPerImage - b.secondsPerImage);
  const [best, runnerUp] = sorted;
  if (!best) return why;
  if (!runnerUp) return `${why}: training on ${backendLabel(best.backend)}`;
  const ratio = runnerUp.secondsPerImage / best.secondsPerImage;
  const times = ratio >= 10 ? Math.round(ratio).toString() : ratio.toFixed(1);
  return `${why}: training on ${backendLabel(best.backend)}, ${times}x faster here than ${backendLabel(runnerUp.backend)}`;
}

/** A choice measured on an earlier load: the race's sentence, with the day it was measured (UTC). */
export function rememberedSentence(sentence: string, measuredAt: number): string {
  return `${sentence}, measured on ${new Date(measuredAt).toISOString().slice(0, 10)} and remembered`;
}
