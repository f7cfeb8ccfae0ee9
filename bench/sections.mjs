// @ts-check
/**
 * The measurements made through the benchmark page (bench.html) and its workers: backends, dataset load,
 * the throughput matrix, memory per epoch, the teacher-output cache and t-SNE. Each returns plain data for
 * results.json; the runner decides the order and the budget.
 */
import { estimateCellSeconds, fitsBudget, FORWARD_COST, skippedByMode } from './plan.mjs';
import { median, throughputRow } from './report.mjs';

/**
 * Opens bench.html and returns calls into its `window.distilleryBench`.
 * @param {import('@playwright/test').Browser} browser
 * @param {string} baseUrl
 * @param {(text: string) => void} progress
 */
export async function openBenchPage(browser, baseUrl, progress) {
  const page = await browser.newPage();
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' || message.type() === 'warning') progress(`bench page ${message.type()}: ${text}`);
    else if (text.startsWith('[')) progress(text);
  });
  page.on('pageerror', (error) => progress(`bench page error: ${error.message}`));
  await page.goto(`${baseUrl}bench.html`);
  await page.waitForFunction(() => /** @type {any} */ (window).distilleryBench !== undefined, null, { timeout: 30_000 });
  /** @type {(key: string, task: object) => Promise<any>} */
  const run = (key, task) => page.evaluate(([k, t]) => /** @type {any} */ (window).distilleryBench.run(k, t), /** @type {const} */ ([key, task]));
  return {
    run,
    close: (/** @type {string} */ key) => page.evaluate((k) => /** @type {any} */ (window).distilleryBench.close(k), key),
    adapterInfo: () => page.evaluate(() => /** @type {any} */ (window).distilleryBench.adapterInfo()),
    datasetsBaseUrl: () => page.evaluate(() => /** @type {any} */ (window).distilleryBench.datasetsBaseUrl()),
    chartRedraw: (/** @type {object} */ task) => page.evaluate((t) => /** @type {any} */ (window).distilleryBench.chartRedraw(t), task),
  };
}

/** @typedef {Awaited<ReturnType<typeof openBenchPage>>} BenchPage */

/**
 * Whether each backend starts in a worker here (the app's own selectBackend); a fallback means unavailable.
 * @param {BenchPage} bench
 * @param {readonly string[]} backends
 */
export async function probeBackends(bench, backends) {
  const found = {};
  for (const backend of backends) {
    const key = `${backend}:probe`;
    try {
      const init = await bench.run(key, { kind: 'init', backend });
      found[backend] =
        init.backend === backend
          ? { status: 'available', adapter: init.adapter }
          : { status: 'unavailable', reason: init.fallbackReason ?? `tfjs chose ${init.backend} instead` };
    } catch (error) {
      found[backend] = { status: 'unavailable', reason: error instanceof Error ? error.message : String(error) };
    } finally {
      await bench.close(key);
    }
  }
  return found;
}

/**
 * A worker for `key` with `backend` active and the dataset loaded; the load is timed `repeats` times.
 * @param {BenchPage} bench
 */
export async function prepareWorker(bench, key, backend, dataset, repeats = 1) {
  const init = await bench.run(key, { kind: 'init', backend });
  if (init.backend !== backend) throw new Error(`${backend} did not start (${init.fallbackReason})`);
  return bench.run(key, { kind: 'dataset', baseUrl: dataset.baseUrl, name: dataset.name, repeats });
}

/**
 * The throughput matrix: each (backend, model) in a fresh worker, so its first step is a fresh page's
 * first step; cells skipped by mode, by an unavailable backend or by the budget are listed with why.
 * @param {BenchPage} bench
 * @param {import('./plan.mjs').BenchPlan} plan
 * @param {import('./plan.mjs').ThroughputCell[]} cells
 * @param {{ baseUrl: string, name: string }} dataset
 * @param {Record<string, { status: string, reason?: string }>} backends
 * @param {{ elapsed: () => number, secondsPerImage: Record<string, number>, modelSecondsPerImage: Record<string, number>, progress: (text: string) => void }} context
 */
export async function measureCells(bench, plan, cells, dataset, backends, context) {
  const rows = [];
  const skipped = [];
  let open = '';
  const closeOpen = async () => {
    if (open) await bench.close(open);
    open = '';
  };
  try {
    for (const cell of cells) {
      const { backend, model, method } = cell;
      const availability = backends[backend];
      if (availability?.status !== 'available') {
        skipped.push({ ...cell, reason: `${backend} unavailable: ${availability?.reason ?? 'not probed'}` });
        continue;
      }
      if (skippedByMode(plan, backend, model)) {
        skipped.push({ ...cell, reason: `skipped in ${plan.mode} mode` });
        continue;
      }
      const estimate = estimateCellSeconds(plan, cell, {
        tinySecondsPerImage: context.secondsPerImage[backend] ?? context.secondsPerImage.webgpu ?? 0,
        modelSecondsPerImage: context.modelSecondsPerImage[`${backend}:${model}`],
      });
      if (!cell.required && !fitsBudget(plan, context.elapsed(), estimate)) {
        skipped.push({ ...cell, reason: `skipped: past the ${Math.round(plan.budgetSeconds / 60)}-min budget (estimated time in brackets)`, estimateSeconds: estimate });
        continue;
      }
      const key = `${backend}:${model}`;
      context.progress(`throughput ${backend} ${model} ${method} (batch ${plan.batch}, ~${Math.round(estimate)} s)`);
      let result;
      try {
        if (open !== key) {
          await closeOpen();
          open = key;
          await prepareWorker(bench, key, backend, dataset);
        }
        result = await bench.run(key, { kind: 'throughput', model, method, batch: plan.batch, warmupSteps: plan.warmupSteps, timedSteps: plan.timedSteps });
      } catch (error) {
        // E.g. out of GPU memory for a large model: report the cell, start the next one on a fresh worker.
        const message = error instanceof Error ? error.message : String(error);
        context.progress(`  failed: ${message}`);
        skipped.push({ ...cell, reason: `failed: ${message}` });
        await closeOpen();
        continue;
      }
      const row = throughputRow({ backend, model, method, teachers: result.teachers, batch: plan.batch, ours: result.ours, baseline: result.baseline });
      rows.push({ ...row, baselineFirstStepSeconds: result.baseline.firstStepSeconds });
      // Seconds per image of a scratch-equivalent step: what later estimates scale from.
      const perImage = median([...result.ours.stepSeconds, ...result.baseline.stepSeconds]) / plan.batch / (1 + FORWARD_COST * result.teachers);
      context.modelSecondsPerImage[`${backend}:${model}`] ??= perImage;
      if (model === 'tiny-cnn' && method === 'scratch') context.secondsPerImage[backend] = median(result.ours.stepSeconds) / plan.batch;
      const steps = (seconds) => seconds.map((s) => s.toFixed(2)).join(' ');
      context.progress(`  ours ${row.oursImagesPerSecond.toFixed(2)} img/s, bare tfjs ${row.baselineImagesPerSecond.toFixed(2)} img/s, ratio ${row.ratio.toFixed(2)} (steps, s: ours ${steps(result.ours.stepSeconds)}; bare ${steps(result.baseline.stepSeconds)})`);
    }
  } finally {
    await closeOpen();
  }
  return { rows, skipped };
}

/**
 * First step of a fresh model (the first method measured on it, in a fresh worker) against the median of
 * its later steps.
 * @param {readonly import('./report.d.mts').ThroughputRow[]} rows
 */
export function firstStepRows(rows) {
  const seen = new Set();
  return rows.flatMap((row) => {
    const key = `${row.backend}:${row.model}`;
    if (seen.has(key)) return [];
    seen.add(key);
    const later = median(row.oursStepSeconds);
    return [{ backend: row.backend, model: row.model, method: row.method, batch: row.batch, firstStepSeconds: row.firstStepSeconds, laterStepSeconds: later, ratio: row.firstStepSeconds / later }];
  });
}

/** Memory at every epoch of a tiny KD run on WebGPU (whose buffer counters the readings include). */
export async function measureMemory(bench, plan, dataset, progress) {
  const key = 'webgpu:memory';
  const m = plan.memory;
  try {
    await prepareWorker(bench, key, 'webgpu', dataset);
    progress(`memory: KD ${m.model} → ${m.model} on webgpu, ${m.epochs} epochs of ${m.subset} images`);
    return { backend: 'webgpu', ...m, ...(await bench.run(key, { kind: 'memory', ...m })) };
  } finally {
    await bench.close(key);
  }
}

/** Student-phase time with the teacher-output cache on and off, on `backend`. */
export async function measureTeacherCache(bench, plan, backend, dataset, progress) {
  const key = `${backend}:cache`;
  const c = plan.teacherCache;
  try {
    await prepareWorker(bench, key, backend, dataset);
    progress(`teacher-output cache on ${backend}: KD ${c.teacher} → ${c.student}, ${c.epochs} epochs of ${c.subset} images, batch ${c.batch}, ${c.repeats}× each setting`);
    return { backend, ...c, ...(await bench.run(key, { kind: 'teacherCache', ...c })) };
  } finally {
    await bench.close(key);
  }
}

/** The project's t-SNE (Barnes-Hut above 500 points) in a worker, as the analysis worker runs it. */
export async function measureTsne(bench, plan, progress) {
  const out = [];
  try {
    for (const task of plan.tsne) {
      progress(`t-SNE: ${task.points} points, ${task.iterations} iterations, ${task.repeats}×`);
      const result = await bench.run('tsne', { kind: 'tsne', ...task });
      const totals = result.affinitySeconds.map((a, i) => a + result.iterateSeconds[i]);
      const perIteration = median(result.iterateSeconds) / task.iterations;
      out.push({ ...task, ...result, seconds: median(totals), projected1000Seconds: median(result.affinitySeconds) + 1000 * perIteration });
    }
  } finally {
    await bench.close('tsne');
  }
  return out;
}


/**
 * The live loss chart redrawn on the bench page while nothing else runs (before any worker starts): the
 * main-thread cost of a redraw without emulated WebGPU competing for the cores.
 * @param {BenchPage} bench
 * @param {import('./plan.mjs').BenchPlan} plan
 */
export async function measureChartRedraw(bench, plan, progress) {
  const task = plan.chartRedraw;
  progress(`chart redraw, page idle: ${task.redraws} redraws of the loss chart`);
  const result = await bench.chartRedraw(task);
  return { ...task, ...result, medianMs: median(result.redrawMs), longestMs: Math.max(...result.redrawMs) };
}
