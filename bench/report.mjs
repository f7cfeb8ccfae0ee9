// @ts-check
/**
 * The benchmark's pure arithmetic and formatting: medians, images per second, the targets and whether
 * they hold, and the Markdown report. No I/O, no DOM: the runner feeds it measurements, tests feed it
 * hand-made ones (tests/bench/report.test.ts). Types: report.d.mts.
 */

/** The targets the report checks, with their thresholds. */
export const TARGETS = Object.freeze({
  /** Our training step's throughput over the bare tfjs loop's, every measured row. */
  oursOverBaseline: 0.95,
  /** Longest main-thread task while training, in ms (a "long task" is anything over 50 ms). */
  longestTaskMs: 50,
  /** Student-phase images/s with the teacher-output cache over without it. */
  teacherCacheSpeedup: 1.5,
});

/** Median of a non-empty list (mean of the middle two for an even count); NaN for an empty one. */
export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Geometric mean of positive values (the fair average of ratios); NaN for an empty list. */
export function geometricMean(values) {
  if (values.length === 0) return Number.NaN;
  return Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
}

export function imagesPerSecond(images, seconds) {
  return seconds > 0 ? images / seconds : Number.NaN;
}

/**
 * Ours / baseline from interleaved steps: the median over pairs (the i-th step of each) of the speed
 * ratio. A pair ran back to back, so a slow spell of the shared machine hits both of its steps and
 * cancels out, which a ratio of the two medians does not do.
 * @param {readonly number[]} oursSeconds
 * @param {readonly number[]} baselineSeconds
 */
export function pairedSpeedRatio(oursSeconds, baselineSeconds) {
  const pairs = Math.min(oursSeconds.length, baselineSeconds.length);
  return median(Array.from({ length: pairs }, (_, i) => baselineSeconds[i] / oursSeconds[i]));
}

/**
 * One throughput row from the raw step times: medians, images/s and ours / baseline (paired).
 * @param {import('./report.d.mts').ThroughputMeasurement} m
 * @returns {import('./report.d.mts').ThroughputRow}
 */
export function throughputRow(m) {
  const ours = imagesPerSecond(m.batch, median(m.ours.stepSeconds));
  const baseline = imagesPerSecond(m.batch, median(m.baseline.stepSeconds));
  return {
    backend: m.backend,
    model: m.model,
    method: m.method,
    teachers: m.teachers,
    batch: m.batch,
    oursImagesPerSecond: ours,
    baselineImagesPerSecond: baseline,
    ratio: pairedSpeedRatio(m.ours.stepSeconds, m.baseline.stepSeconds),
    oursStepSeconds: m.ours.stepSeconds,
    baselineStepSeconds: m.baseline.stepSeconds,
    firstStepSeconds: m.ours.firstStepSeconds,
  };
}

/**
 * Named spans (performance.measure entries) by name: how many, the longest and their sum, longest first.
 * @param {readonly { name: string, duration: number }[]} spans
 * @returns {import('./report.d.mts').SpanSummary[]}
 */
export function spanSummary(spans) {
  const byName = new Map();
  for (const { name, duration } of spans) {
    const s = byName.get(name) ?? { name, count: 0, longestMs: 0, totalMs: 0 };
    s.count += 1;
    s.longestMs = Math.max(s.longestMs, duration);
    s.totalMs += duration;
    byName.set(name, s);
  }
  return [...byName.values()].sort((a, b) => b.longestMs - a.longestMs);
}

/**
 * Whether live tensors stay flat: for every learner with two or more epoch readings, the count at each
 * epoch equals the first one's.
 * @param {readonly { learner: string, epoch: number, numTensors: number }[]} readings
 */
export function tensorsFlat(readings) {
  const byLearner = new Map();
  for (const r of readings) byLearner.set(r.learner, [...(byLearner.get(r.learner) ?? []), r.numTensors]);
  const growth = [...byLearner].filter(([, counts]) => counts.length > 1).map(([learner, counts]) => ({ learner, first: counts[0], last: counts.at(-1), max: Math.max(...counts) }));
  return { flat: growth.length > 0 && growth.every((g) => g.max === g.first && g.last === g.first), learners: growth };
}

/**
 * Student-phase images/s with and without the cache (medians over runs), and their ratio.
 * @param {readonly import('./report.d.mts').StudentPhaseTiming[]} runs
 */
export function teacherCacheSpeedup(runs) {
  const rate = (cached) => median(runs.filter((r) => r.cacheTeacherOutputs === cached).map((r) => imagesPerSecond(r.steps * r.batch, r.seconds)));
  const cached = rate(true);
  const uncached = rate(false);
  return { cachedImagesPerSecond: cached, uncachedImagesPerSecond: uncached, speedup: cached / uncached };
}

/**
 * Each target with the measured value and whether it holds (null when it was not measured).
 * @param {import('./report.d.mts').TargetInputs} inputs
 * @returns {import('./report.d.mts').TargetResult[]}
 */
export function evaluateTargets({ throughput, longestTaskMs, tensors, cacheSpeedup }) {
  const measured = throughput.filter((row) => Number.isFinite(row.ratio));
  const worst = measured.reduce((a, b) => (b.ratio < a.ratio ? b : a), measured[0]);
  return [
    {
      id: 'oursOverBaseline',
      label: `ours / bare tfjs ≥ ${TARGETS.oursOverBaseline} (every row)`,
      value: worst ? worst.ratio : null,
      detail: worst
        ? `lowest ${formatNumber(worst.ratio, 2)} (${worst.backend} ${worst.model} ${worst.method}); ${measured.filter((r) => r.ratio >= TARGETS.oursOverBaseline).length}/${measured.length} rows hold; geometric mean ${formatNumber(geometricMean(measured.map((r) => r.ratio)), 2)}`
        : 'not measured',
      pass: worst ? worst.ratio >= TARGETS.oursOverBaseline : null,
    },
    {
      id: 'longestTask',
      label: `no main-thread task over ${TARGETS.longestTaskMs} ms while training`,
      value: longestTaskMs,
      detail: longestTaskMs === null ? 'not measured' : `longest ${formatNumber(longestTaskMs, 0)} ms`,
      pass: longestTaskMs === null ? null : longestTaskMs <= TARGETS.longestTaskMs,
    },
    {
      id: 'tensorsFlat',
      label: 'tf.memory().numTensors flat across epochs',
      value: tensors ? tensors.learners.reduce((max, g) => Math.max(max, g.max - g.first), 0) : null,
      detail: tensors ? tensors.learners.map((g) => `${g.learner}: ${g.first}→${g.last}`).join(', ') : 'not measured',
      pass: tensors ? tensors.flat : null,
    },
    {
      id: 'teacherCache',
      label: `cached KD ≥ ${TARGETS.teacherCacheSpeedup}× uncached (student phase)`,
      value: cacheSpeedup ?? null,
      detail: cacheSpeedup === null || cacheSpeedup === undefined ? 'not measured' : `${formatNumber(cacheSpeedup, 2)}×`,
      pass: cacheSpeedup === null || cacheSpeedup === undefined || !Number.isFinite(cacheSpeedup) ? null : cacheSpeedup >= TARGETS.teacherCacheSpeedup,
    },
  ];
}

/** A number for a table: fixed digits, or a dash when it is missing or not finite. */
export function formatNumber(value, digits = 1) {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '–';
}

/**
 * A Markdown table; cells are escaped so a '|' in a value cannot break the row.
 * @param {readonly string[]} headers
 * @param {readonly (readonly (string | number)[])[]} rows
 */
export function markdownTable(headers, rows) {
  const cell = (value) => String(value).replaceAll('|', '\\|').replaceAll('\n', ' ');
  const line = (cells) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

export function passLabel(pass) {
  return pass === null ? 'not measured' : pass ? 'pass' : 'FAIL';
}
