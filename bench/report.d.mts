/** Types of bench/report.mjs (plain JavaScript so the Node runner needs no build step). */

export interface StepTimes {
  readonly firstStepSeconds: number;
  readonly stepSeconds: readonly number[];
}

/** One throughput cell as measured: the app's step and the bare tfjs loop, same backend/model/method. */
export interface ThroughputMeasurement {
  readonly backend: string;
  readonly model: string;
  readonly method: string;
  readonly teachers: number;
  readonly batch: number;
  readonly ours: StepTimes;
  readonly baseline: StepTimes;
}

export interface ThroughputRow {
  readonly backend: string;
  readonly model: string;
  readonly method: string;
  readonly teachers: number;
  readonly batch: number;
  readonly oursImagesPerSecond: number;
  readonly baselineImagesPerSecond: number;
  /** ours / baseline images per second: the median over interleaved step pairs. */
  readonly ratio: number;
  readonly oursStepSeconds: readonly number[];
  readonly baselineStepSeconds: readonly number[];
  readonly firstStepSeconds: number;
}

/** performance.measure entries of one name. */
export interface SpanSummary {
  readonly name: string;
  readonly count: number;
  readonly longestMs: number;
  readonly totalMs: number;
}

export interface StudentPhaseTiming {
  readonly cacheTeacherOutputs: boolean;
  readonly seconds: number;
  readonly steps: number;
  readonly batch: number;
}

export interface TensorGrowth {
  readonly learner: string;
  readonly first: number;
  readonly last: number;
  readonly max: number;
}

export interface TensorsFlat {
  readonly flat: boolean;
  readonly learners: readonly TensorGrowth[];
}

export interface TargetInputs {
  readonly throughput: readonly ThroughputRow[];
  readonly longestTaskMs: number | null;
  readonly tensors: TensorsFlat | null;
  readonly cacheSpeedup: number | null | undefined;
}

export interface TargetResult {
  readonly id: 'oursOverBaseline' | 'longestTask' | 'tensorsFlat' | 'teacherCache';
  readonly label: string;
  readonly value: number | null;
  readonly detail: string;
  /** null: not measured. */
  readonly pass: boolean | null;
}

export declare const TARGETS: Readonly<{ oursOverBaseline: number; longestTaskMs: number; teacherCacheSpeedup: number }>;

export declare function median(values: readonly number[]): number;
export declare function geometricMean(values: readonly number[]): number;
export declare function imagesPerSecond(images: number, seconds: number): number;
export declare function pairedSpeedRatio(oursSeconds: readonly number[], baselineSeconds: readonly number[]): number;
export declare function spanSummary(spans: readonly { name: string; duration: number }[]): SpanSummary[];
export declare function throughputRow(measurement: ThroughputMeasurement): ThroughputRow;
export declare function tensorsFlat(readings: readonly { learner: string; epoch: number; numTensors: number }[]): TensorsFlat;
export declare function teacherCacheSpeedup(runs: readonly StudentPhaseTiming[]): { cachedImagesPerSecond: number; uncachedImagesPerSecond: number; speedup: number };
export declare function evaluateTargets(inputs: TargetInputs): TargetResult[];
export declare function formatNumber(value: number | null | undefined, digits?: number): string;
export declare function markdownTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string;
export declare function passLabel(pass: boolean | null): string;
