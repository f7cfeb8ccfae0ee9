/**
 * Training-step throughput in Node: the app's own step (createLearner, BatchSource, prepareStep, trainStep:
 * what a run's phase does per batch, method "scratch") on one tfjs backend, on random CIFAR-shaped images.
 * Loaded by bench/node.mjs through Vite's module runner.
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CONFIG } from '../../src/config/fields';
import { BatchSource } from '../../src/data/batches';
import type { ModelId } from '../../src/contract/modelCatalog';
import { installFastCpuConvFilterGrad } from '../../src/training/cpuConvFilterGrad';
import { prepareStep, teacherContext, trainStep } from '../../src/training/learner';
import { createLearner, disposeLearner } from '../../src/training/learners';
import { startWasmBackend } from '../../src/training/wasm/wasmBackend';
import { imagesPerSecond, median } from '../report.mjs';
import { randomImages } from './randomImages';

export type NodeBackend = 'cpu' | 'wasm';

export interface StepTiming {
  readonly backend: NodeBackend;
  readonly model: ModelId;
  readonly batch: number;
  /** Seconds of each timed step, after the warm-up ones. */
  readonly stepSeconds: readonly number[];
  /** Images per second over the timed steps (median step). */
  readonly imagesPerSecond: number;
}

export async function useBackend(backend: NodeBackend): Promise<void> {
  if (backend === 'wasm') {
    if (!(await startWasmBackend())) throw new Error('The wasm backend did not start');
    return;
  }
  await tf.setBackend('cpu');
  await tf.ready();
  installFastCpuConvFilterGrad();
}

/** Times `timed` training steps of `model` at `batch` on `imageSide`-pixel images on the active backend, after `warmup` untimed ones. */
export async function timeTrainingSteps(backend: NodeBackend, model: ModelId, batch: number, warmup: number, timed: number, imageSide = 32): Promise<StepTiming> {
  await useBackend(backend);
  const config = { ...DEFAULT_CONFIG, method: 'scratch' as const, augment: false, batch };
  const learner = createLearner({ key: 'student', role: 'student', label: 'bench', model, method: 'scratch', initSeed: 7 }, config, { numClasses: 10, imageSide }, [], 'node-bench-');
  const source = new BatchSource(randomImages(batch * 2, imageSide), { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] });
  const stepSeconds: number[] = [];
  try {
    for (let i = 0; i < warmup + timed; i++) {
      const indices = Int32Array.from({ length: batch }, (_, k) => ((i % 2) * batch + k) % (batch * 2));
      const start = performance.now();
      const data = source.trainBatch(indices, null);
      const context = teacherContext(undefined, [], data);
      const prepared = await prepareStep(learner, data, context, 0);
      const step = trainStep(learner, data, context, 0, config.lr, prepared);
      await step.packed.data();
      step.packed.dispose();
      tf.dispose([data.x, data.labels]);
      if (i >= warmup) stepSeconds.push((performance.now() - start) / 1000);
    }
  } finally {
    source.dispose();
    disposeLearner(learner);
  }
  return { backend, model, batch, stepSeconds, imagesPerSecond: imagesPerSecond(batch, median(stepSeconds)) };
}

/** tf.profile of one training step: the kernels that took the most time, in milliseconds. */
export async function profileTrainingStep(backend: NodeBackend, model: ModelId, batch: number): Promise<{ name: string; ms: number }[]> {
  await timeTrainingSteps(backend, model, batch, 1, 0);
  const totals = new Map<string, number>();
  const profile = await tf.profile(async () => {
    await timeTrainingSteps(backend, model, batch, 0, 1);
  });
  for (const kernel of profile.kernels) totals.set(kernel.name, (totals.get(kernel.name) ?? 0) + (kernel.kernelTimeMs as number));
  return [...totals].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
}
