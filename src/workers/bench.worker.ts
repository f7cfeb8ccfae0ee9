/**
 * Benchmark worker entry (bench.html only): runs the app's training code on one backend and answers each
 * task with plain numbers. One worker per backend, so a backend's shaders and buffers never mix with
 * another's; tasks run one at a time, in the order they arrive.
 */
import * as tf from '@tensorflow/tfjs';
import { loadDataset, type LoadedDataset } from '../data/datasetLoader';
import type { RunData } from '../training/run';
import type { BenchResults, BenchTask, DatasetTask, FromBenchWorker, InitResult, ToBenchWorker } from '../contract/benchProtocol';
import { selectBackend } from './backend';
import { measureMemory, measureTeacherCache } from './benchRuns';
import { measureThroughput } from './benchSteps';
import { measureTsne } from './benchTsne';
import { unhandledMessage } from '../contract/exhaustive';

interface WorkerScope {
  postMessage(message: FromBenchWorker): void;
  onmessage: ((event: MessageEvent<ToBenchWorker>) => void) | null;
}

const scope = self as unknown as WorkerScope;

/** The dataset the training tasks use (once a 'dataset' task has loaded it), and whether a backend is set. */
const state: { dataset: LoadedDataset | null; backendSet: boolean; queue: Promise<void> } = { dataset: null, backendSet: false, queue: Promise.resolve() };

function runData(): RunData {
  if (!state.dataset) throw new Error('load the dataset first (a "dataset" task)');
  const { manifest, train, test } = state.dataset;
  return { train, test, normalization: { mean: manifest.mean, std: manifest.std }, numClasses: manifest.classNames.length };
}

async function init(requested: InitResult['requested']): Promise<InitResult> {
  const selection = await selectBackend(requested);
  state.backendSet = true;
  return { requested, ...selection };
}

/** Loads (fetch, SHA-256 check, decode) `repeats` times, as the training worker does, keeping the last. */
async function timeDatasetLoad(task: DatasetTask): Promise<BenchResults['dataset']> {
  const seconds: number[] = [];
  let bytes = 0;
  for (let i = 0; i < task.repeats; i++) {
    state.dataset = null; // the previous copy can be collected before the next one is decoded
    const start = performance.now();
    state.dataset = await loadDataset(task.baseUrl, task.name, { onProgress: (p) => (bytes = p.totalBytes) });
    seconds.push((performance.now() - start) / 1000);
  }
  const { train, test } = state.dataset!;
  return { seconds, bytes, trainCount: train.count, testCount: test.count };
}

async function perform(task: BenchTask, log: (text: string) => void): Promise<BenchResults[BenchTask['kind']]> {
  switch (task.kind) {
    case 'init':
      return init(task.backend);
    case 'dataset':
      return timeDatasetLoad(task);
    case 'throughput':
      return measureThroughput(task, runData());
    case 'memory':
      return measureMemory(task, runData());
    case 'teacherCache':
      return measureTeacherCache(task, runData(), log);
    case 'tsne':
      return measureTsne(task);
    default:
      return unhandledMessage(task, 'bench worker');
  }
}

async function handle({ id, task }: ToBenchWorker): Promise<void> {
  const log = (text: string) => scope.postMessage({ type: 'log', id, text });
  try {
    const result = await perform(task, log);
    scope.postMessage({ type: 'result', id, result });
  } catch (error) {
    scope.postMessage({ type: 'error', id, message: error instanceof Error ? error.message : String(error) });
  } finally {
    // A task that leaves tensors behind would skew the next one's memory figures: say so.
    // (tf.memory() before any backend is set would start the default one, so only after 'init'.)
    if (task.kind !== 'init' && state.backendSet) log(`live tensors after ${task.kind}: ${tf.memory().numTensors}`);
  }
}

scope.onmessage = (event) => {
  state.queue = state.queue.then(() => handle(event.data));
};
