/**
 * Messages between the benchmark page (bench.html) and the benchmark worker. Plain data only, like the
 * training worker's protocol: the page (and Playwright behind it) never sees a tensor. Each request has an
 * id; the worker answers it once, with a result or an error, and may post log lines meanwhile.
 */
import type { BackendName } from '../config/runConfig';
import type { ModelId } from './modelCatalog';
import type { AdapterSummary } from './protocol';

/** The distillation methods the throughput table covers: none, one teacher, several teachers. */
export type BenchMethod = 'scratch' | 'kd' | 'aver-mkd';

export interface InitTask {
  readonly kind: 'init';
  readonly backend: BackendName;
}

export interface DatasetTask {
  readonly kind: 'dataset';
  /** Absolute URL of the served datasets folder (a worker resolves relative URLs against its own script). */
  readonly baseUrl: string;
  readonly name: string;
  readonly repeats: number;
}

/**
 * The app's training step ('ours') and the same step as a bare tfjs loop ('baseline'), interleaved step by
 * step so that load from anything else on the machine falls on both alike.
 */
export interface ThroughputTask {
  readonly kind: 'throughput';
  readonly model: ModelId;
  readonly method: BenchMethod;
  readonly batch: number;
  /** Untimed steps of each first (the very first one compiles shaders: it is reported as the first-step time). */
  readonly warmupSteps: number;
  readonly timedSteps: number;
}

export interface MemoryTask {
  readonly kind: 'memory';
  readonly model: ModelId;
  readonly subset: number;
  readonly testSubset: number;
  readonly batch: number;
  readonly epochs: number;
}

export interface TeacherCacheTask {
  readonly kind: 'teacherCache';
  readonly teacher: ModelId;
  readonly student: ModelId;
  readonly subset: number;
  readonly testSubset: number;
  readonly batch: number;
  readonly epochs: number;
  /** Runs per setting, alternating uncached and cached so drift hits both alike. */
  readonly repeats: number;
}

export interface TsneTask {
  readonly kind: 'tsne';
  readonly points: number;
  readonly dim: number;
  readonly iterations: number;
  readonly repeats: number;
}

export type BenchTask = InitTask | DatasetTask | ThroughputTask | MemoryTask | TeacherCacheTask | TsneTask;

export interface InitResult {
  readonly requested: BackendName;
  /** The backend really active; differs from `requested` when it could not start here. */
  readonly backend: BackendName;
  readonly adapter: AdapterSummary | null;
  readonly fallbackReason: string | null;
  /** On wasm: how many threads it got, or why only one ("2 threads", "single-threaded: ..."); else null. */
  readonly threads: string | null;
}

export interface DatasetResult {
  readonly seconds: readonly number[];
  readonly bytes: number;
  readonly trainCount: number;
  readonly testCount: number;
}

export interface StepTimes {
  /** Seconds of the first step on a freshly built model (shader compilation and buffer set-up included). */
  readonly firstStepSeconds: number;
  /** Seconds of each timed step. */
  readonly stepSeconds: readonly number[];
}

export interface ThroughputResult {
  /** The app's training code; its first step ran first, so only it can include compiling the shaders. */
  readonly ours: StepTimes;
  readonly baseline: StepTimes;
  readonly teachers: number;
}

export interface MemoryReading {
  readonly learner: string;
  readonly epoch: number;
  readonly numTensors: number;
  /** tf.memory().numBytes: every live tensor's bytes, on any backend. */
  readonly numBytes: number;
  /** WebGPU: bytes of the buffers in use and allocated (the pool); WebGL: bytes of its textures. Null elsewhere. */
  readonly gpuBytesInUse: number | null;
  readonly gpuBytesAllocated: number | null;
}

export interface MemoryResult {
  readonly readings: readonly MemoryReading[];
  readonly tensorsBefore: number;
  readonly tensorsAfter: number;
}

export interface StudentPhaseTiming {
  readonly cacheTeacherOutputs: boolean;
  /** Seconds spent in the students' training steps (evaluation excluded). */
  readonly seconds: number;
  /** Lockstep steps (scratch + distilled student on one batch each). */
  readonly steps: number;
  readonly batch: number;
}

export interface TeacherCacheResult {
  readonly runs: readonly StudentPhaseTiming[];
}

export interface TsneResult {
  /** Seconds to compute the input affinities (createTsne). */
  readonly affinitySeconds: readonly number[];
  /** Seconds for all iterations. */
  readonly iterateSeconds: readonly number[];
  readonly method: 'exact' | 'barnes-hut';
  readonly iterations: number;
}

/** What each kind of task answers. */
export interface BenchResults {
  readonly init: InitResult;
  readonly dataset: DatasetResult;
  readonly throughput: ThroughputResult;
  readonly memory: MemoryResult;
  readonly teacherCache: TeacherCacheResult;
  readonly tsne: TsneResult;
}

export interface ToBenchWorker {
  readonly id: number;
  readonly task: BenchTask;
}

export type FromBenchWorker =
  | { readonly type: 'result'; readonly id: number; readonly result: BenchResults[BenchTask['kind']] }
  | { readonly type: 'error'; readonly id: number; readonly message: string }
  | { readonly type: 'log'; readonly id: number; readonly text: string };
