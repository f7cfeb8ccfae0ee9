// @ts-check
/**
 * What the benchmark measures in each mode, and rough cost estimates that let it stay inside its time
 * budget: the parts each target needs always run; the rest of the throughput matrix runs in priority order
 * while the budget lasts, and every cell left out is listed with the reason.
 *
 * On these machines (2 cores, WebGPU emulated by SwiftShader) one tiny-CNN step at batch 16 takes seconds,
 * so quick mode trains at batch 16 and full mode at batch 64; on a real GPU both finish in minutes.
 */

export const BACKENDS = /** @type {const} */ (['webgpu', 'webgl', 'cpu']);
export const MODELS = /** @type {const} */ (['tiny-cnn', 'resnet8', 'resnet20']);
export const METHODS = /** @type {const} */ (['scratch', 'kd', 'aver-mkd']);

/** Teachers per method in the throughput table (teachers share the student's architecture). */
export const TEACHERS = Object.freeze({ scratch: 0, kd: 1, 'aver-mkd': 2 });

/**
 * A training step's cost relative to the tiny CNN's (measured on emulated WebGPU: ResNet-8 ~2.7×, ResNet-20
 * ~10×), and a teacher's forward pass relative to a training step. Only used to decide what fits the
 * budget, until a model's own first cell has been measured.
 */
const MODEL_COST = Object.freeze({ 'tiny-cnn': 1, resnet8: 2.7, resnet20: 10 });
export const FORWARD_COST = 0.35;

/**
 * @param {'quick' | 'full' | 'smoke'} mode  smoke: every section once at the smallest settings, to check
 *   the harness itself (its numbers mean nothing)
 * @param {{ batch?: number, budgetMinutes?: number }} overrides
 */
export function benchPlan(mode, overrides = {}) {
  const quick = mode !== 'full';
  const smoke = mode === 'smoke';
  const batch = overrides.batch ?? (smoke ? 8 : quick ? 16 : 64);
  return {
    mode,
    batch,
    /** The run stops starting optional work once it would end past this. */
    budgetSeconds: 60 * (overrides.budgetMinutes ?? (smoke ? 0 : quick ? 9 : 55)),
    // Two warm-up steps: the second step still ran ~20% slow in runs with one (uploads of a new batch).
    warmupSteps: smoke ? 1 : 2,
    // Odd counts, so the paired ratio is a real median; more steps in full mode, where noise matters most.
    timedSteps: smoke ? 1 : quick ? 3 : 5,
    /** Quick mode runs the slower backends for the tiny CNN only. */
    modelsOn: (/** @type {string} */ backend) => (quick && backend !== 'webgpu' ? ['tiny-cnn'] : [...MODELS]),
    datasetRepeats: smoke ? 1 : quick ? 3 : 5,
    /** Redraws of the live loss chart with the page idle, 4 points per learner more each time. */
    chartRedraw: { pointsPerRedraw: 4, redraws: smoke ? 3 : quick ? 20 : 60 },
    tsne: [
      { points: 1000, dim: 10, iterations: smoke ? 50 : 1000, repeats: quick ? 1 : 3 },
      // 5000 points take ~25 ms per iteration here: quick mode runs fewer and says so.
      { points: 5000, dim: 10, iterations: smoke ? 20 : quick ? 300 : 1000, repeats: quick ? 1 : 3 },
    ],
    /** A KD run (tiny CNN teaching a tiny CNN) read at every epoch; one batch per epoch keeps it short. */
    memory: { model: 'tiny-cnn', subset: batch, testSubset: batch, batch, epochs: smoke ? 2 : quick ? 3 : 4 },
    /**
     * KD from ResNet-20 to the tiny CNN, augmentation off; the teacher trains on the same few images. Several
     * epochs: a cache filled during a run's first epoch can only pay off in the later ones.
     */
    teacherCache: { teacher: 'resnet20', student: 'tiny-cnn', subset: batch, testSubset: batch, batch, epochs: smoke ? 2 : quick ? 4 : 5, repeats: quick ? 1 : 2 },
    /** The real page, all panels open, a tiny KD run (its own warm-up estimate, teacher, then students). */
    app: { subset: batch, testSubset: batch, batch, epochs: 1 },
  };
}

/** @typedef {ReturnType<typeof benchPlan>} BenchPlan */
/** @typedef {{ backend: string, model: string, method: string, required: boolean }} ThroughputCell */

/**
 * The throughput cells in the order they run. Required: every method of the tiny CNN on WebGPU (the
 * ours/baseline target) and its scratch step on every backend (the speed that picks the cache run's
 * backend and sizes the budget). The rest follow, tiny CNN first, then the ResNets, while time allows.
 * @returns {ThroughputCell[]}
 */
export function throughputCells() {
  const cells = [];
  for (const model of MODELS) {
    for (const backend of BACKENDS) {
      for (const method of METHODS) cells.push({ backend, model, method, required: model === 'tiny-cnn' && (backend === 'webgpu' || method === 'scratch') });
    }
  }
  return cells;
}

/**
 * The GPU backend with the fastest measured tiny-CNN step (WebGL beats emulated WebGPU on a machine
 * without a GPU; a real GPU usually favours WebGPU), for the long teacher-cache runs.
 * @param {Record<string, number>} secondsPerImage
 */
export function fastestGpuBackend(secondsPerImage) {
  const measured = ['webgpu', 'webgl'].filter((b) => Number.isFinite(secondsPerImage[b]));
  return measured.sort((a, b) => secondsPerImage[a] - secondsPerImage[b])[0] ?? null;
}

/** Whether quick mode leaves this cell out by design (not for lack of time). */
export function skippedByMode(plan, backend, model) {
  return !plan.modelsOn(backend).includes(model);
}

/**
 * Estimated seconds of one throughput cell (both variants, warm-up and timed steps): from the measured
 * seconds per image of this model's scratch step on that backend when there is one, else of the tiny CNN's
 * scaled by the model's relative cost.
 * @param {BenchPlan} plan
 * @param {ThroughputCell} cell
 * @param {{ tinySecondsPerImage: number, modelSecondsPerImage?: number }} measured
 */
export function estimateCellSeconds(plan, cell, { tinySecondsPerImage, modelSecondsPerImage }) {
  const perImage = modelSecondsPerImage ?? tinySecondsPerImage * MODEL_COST[cell.model];
  const step = perImage * plan.batch * (1 + FORWARD_COST * TEACHERS[cell.method]);
  const firstStepOverhead = 2.5; // the first step compiles shaders (see the first-step table)
  return 2 * step * (firstStepOverhead + (plan.warmupSteps - 1) + plan.timedSteps);
}

/**
 * Whether work estimated at `seconds` still fits: `elapsed` seconds are spent and `reserved` are kept for
 * the required parts still to come.
 */
export function fitsBudget(plan, elapsed, seconds, reserved = 0) {
  return elapsed + seconds + reserved <= plan.budgetSeconds;
}
