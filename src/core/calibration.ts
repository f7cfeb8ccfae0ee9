/**
 * Calibration: reliability diagrams, expected / maximum calibration error, and temperature scaling.
 *
 * Equal-width bins over top-1 confidence, bin m covering (m/bins, (m+1)/bins]; ECE = Σ (|B_m|/N)·|acc_m − conf_m|
 * as in netcal and Guo et al. 2017 (methods.md Part B, "ECE"). Layout as in ./metrics: N × numClasses
 * row-major probabilities or logits, integer labels.
 */
import { argmaxRow, checkBatch, crossEntropyFromLogits, fromRows } from './metrics';

export interface ReliabilityBin {
  /** Exclusive lower edge (except that confidence 0 also lands in the first bin). */
  lo: number;
  /** Inclusive upper edge. */
  hi: number;
  count: number;
  /** Mean top-1 confidence of the bin's samples; 0 when empty. */
  confidence: number;
  /** Fraction of the bin's samples predicted correctly; 0 when empty. */
  accuracy: number;
}

export interface Reliability {
  /** Expected calibration error: bin gaps |accuracy − confidence| weighted by the bins' share of samples. */
  ece: number;
  /** Maximum calibration error: the largest gap over non-empty bins. */
  mce: number;
  bins: ReliabilityBin[];
}

/** The `ece` reference-fixture shape: exactly these keys, so fixtures compare key for key. */
export interface EceReferenceResult {
  ece: number;
  bins: { count: number; confidence: number; accuracy: number }[];
}

/** Search range for temperature scaling; a fitted T on an edge means the optimum lies beyond it. */
export const TEMPERATURE_RANGE = { min: 0.05, max: 20 } as const;

/**
 * Bin of a confidence, settled against the edges m / bins themselves rather than trusting
 * ceil(confidence · bins), which can round across an edge. 0 joins the first bin; values above 1
 * (float rounding of a sum-to-one row) join the last.
 */
export function binIndex(confidence: number, bins: number): number {
  let m = Math.ceil(confidence * bins) - 1;
  if (confidence <= m / bins) m--;
  else if (confidence > (m + 1) / bins) m++;
  return Math.min(bins - 1, Math.max(0, m));
}

/** Reliability diagram data plus ECE and MCE of a batch of probabilities. */
export function reliabilityBins(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
  bins = 15,
): Reliability {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  const n = checkBatch(probs, labels, numClasses);
  const counts = new Int32Array(bins);
  const correct = new Int32Array(bins);
  const confidenceSums = new Float64Array(bins);
  for (let row = 0; row < n; row++) {
    const predicted = argmaxRow(probs, row, numClasses);
    const confidence = probs[row * numClasses + predicted]!;
    // A NaN row (a diverged model) would otherwise vanish from every bin and flatter the ECE.
    if (!Number.isFinite(confidence)) throw new RangeError(`row ${row} has no finite top-1 probability`);
    const m = binIndex(confidence, bins);
    counts[m]!++;
    confidenceSums[m]! += confidence;
    if (predicted === labels[row]) correct[m]!++;
  }

  const result = Array.from({ length: bins }, (_, m): ReliabilityBin => {
    const count = counts[m]!;
    return {
      lo: m / bins,
      hi: (m + 1) / bins,
      count,
      confidence: count === 0 ? 0 : confidenceSums[m]! / count,
      accuracy: count === 0 ? 0 : correct[m]! / count,
    };
  });
  const gaps = result
    .filter((bin) => bin.count > 0)
    .map((bin) => ({ weight: bin.count / n, gap: Math.abs(bin.accuracy - bin.confidence) }));
  return {
    ece: gaps.reduce((sum, { weight, gap }) => sum + weight * gap, 0),
    mce: Math.max(...gaps.map(({ gap }) => gap)),
    bins: result,
  };
}

/** Adapter for the reference fixtures (`fn: "ece"`): nested probabilities in, the fixture's shape out. */
export function eceReference(probs: number[][], labels: number[], bins: number): EceReferenceResult {
  const { data, cols } = fromRows(probs);
  const { ece, bins: detail } = reliabilityBins(data, labels, cols, bins);
  return { ece, bins: detail.map(({ count, confidence, accuracy }) => ({ count, confidence, accuracy })) };
}

/**
 * Temperature scaling (Guo et al. 2017): the T > 0 minimising the NLL of softmax(logits / T), within
 * TEMPERATURE_RANGE. NLL is convex in 1/T, hence unimodal in log T, so a golden-section search on log T
 * finds the minimum without derivatives; 1e-6 in log T is far below anything a chart can show.
 */
export function fitTemperature(logits: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number {
  const nllAtLogT = (logT: number) => crossEntropyFromLogits(logits, labels, numClasses, Math.exp(logT));
  const logT = goldenSectionMinimum(nllAtLogT, Math.log(TEMPERATURE_RANGE.min), Math.log(TEMPERATURE_RANGE.max), 1e-6);
  return Math.exp(logT);
}

const INVERSE_GOLDEN_RATIO = (Math.sqrt(5) - 1) / 2;

/** Minimum of a unimodal `f` on [lo, hi], to within `tolerance`; one evaluation per step. */
function goldenSectionMinimum(f: (x: number) => number, lo: number, hi: number, tolerance: number): number {
  let a = lo;
  let b = hi;
  let x1 = b - INVERSE_GOLDEN_RATIO * (b - a);
  let x2 = a + INVERSE_GOLDEN_RATIO * (b - a);
  let f1 = f(x1);
  let f2 = f(x2);
  while (b - a > tolerance) {
    if (f1 <= f2) {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - INVERSE_GOLDEN_RATIO * (b - a);
      f1 = f(x1);
    } else {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + INVERSE_GOLDEN_RATIO * (b - a);
      f2 = f(x2);
    }
  }
  return (a + b) / 2;
}
