#!/usr/bin/env node
// @ts-check
/**
 * `npm run bench [-- --quick] [--headed] [--real-gpu] [--browser-args="..."] [--batch N] [--budget MIN] [--port P]`
 *
 * Builds the app (bench.html included) into a temporary folder, serves it with `vite preview`, drives it in
 * Chromium through Playwright and writes bench/results.json and bench/results.md. Exits non-zero with a
 * message when the build, the server or the browser fails; the server and the browser are always stopped.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureAppLongTasks } from './appPage.mjs';
import { runNodeBench } from './node.mjs';
import { renderMarkdown } from './markdown.mjs';
import { BACKENDS, benchPlan, fastestGpuBackend, throughputCells } from './plan.mjs';
import { evaluateTargets, teacherCacheSpeedup, tensorsFlat } from './report.mjs';
import { firstStepRows, measureCells, measureChartRedraw, measureMemory, measureTeacherCache, measureTsne, openBenchPage, probeBackends } from './sections.mjs';
import { launchBrowser, runCommand, startPreview } from './serve.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATASET = 'cifar10-subset';

const USAGE = `Usage: npm run bench [-- options]
  --quick               fewer repetitions, batch 16, slower backends for the tiny CNN only (under 10 min here)
  --smoke               every section once at the smallest settings: checks the harness, numbers mean nothing
  --headed              show the browser window (a real GPU is often only exposed to a headed browser)
  --real-gpu            drop the SwiftShader flags, so Chromium uses the machine's GPU
  --browser-args "..."  extra Chromium flags, space-separated
  --batch N             batch size (default 16 quick, 64 full)
  --budget MIN          time budget in minutes for optional work (default 9 quick, 55 full)
  --port P              port for vite preview (default 4177)
  --report-only         rewrite bench/results.md from bench/results.json, measuring nothing
  --node-only           only the Node section (wasm training step vs the CPU baseline and PyTorch)
  --node-cpu            the Node section also times the CPU backend (minutes)
Environment: CHROMIUM_PATH (default /usr/bin/chromium)`;

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      headed: { type: 'boolean', default: false },
      'real-gpu': { type: 'boolean', default: false },
      'browser-args': { type: 'string', default: '' },
      batch: { type: 'string' },
      budget: { type: 'string' },
      port: { type: 'string', default: '4177' },
      'report-only': { type: 'boolean', default: false },
      'node-only': { type: 'boolean', default: false },
      'node-cpu': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const number = (text, name) => {
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number, got "${text}"`);
    return value;
  };
  return {
    mode: /** @type {'quick' | 'full' | 'smoke'} */ (values.smoke ? 'smoke' : values.quick ? 'quick' : 'full'),
    headed: values.headed,
    realGpu: values['real-gpu'],
    extraArgs: values['browser-args'].split(/\s+/).filter(Boolean),
    batch: values.batch === undefined ? undefined : number(values.batch, 'batch'),
    budgetMinutes: values.budget === undefined ? undefined : number(values.budget, 'budget'),
    port: number(values.port, 'port'),
    reportOnly: values['report-only'],
    nodeOnly: values['node-only'],
    nodeCpu: values['node-cpu'],
  };
}

function git(args) {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

function machine() {
  const cpus = os.cpus();
  return { os: `${os.type()} ${os.release()} (${os.arch()})`, cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', memoryGiB: os.totalmem() / 2 ** 30, node: process.version };
}

async function main() {
  const opts = options();
  if (opts.reportOnly) {
    const results = JSON.parse(readFileSync(join(ROOT, 'bench', 'results.json'), 'utf8'));
    writeFileSync(join(ROOT, 'bench', 'results.md'), renderMarkdown(results));
    console.log('wrote bench/results.md from bench/results.json');
    return;
  }
  // The Node section first: the wasm training backend against the pinned CPU baseline and PyTorch.
  const node = await runNodeBench({ withCpu: opts.nodeCpu, progress: (text) => console.log(`[bench node] ${text}`) });
  console.log(`[bench node] wrote bench/results-node.md (gate ${node.rows.every((r) => r.gateMet) ? 'met' : 'not met'} against the pinned baseline)`);
  if (opts.nodeOnly) return;
  const plan = benchPlan(opts.mode, { batch: opts.batch, budgetMinutes: opts.budgetMinutes });
  const started = Date.now();
  const elapsed = () => (Date.now() - started) / 1000;
  const progress = (text) => console.log(`[bench ${String(Math.round(elapsed())).padStart(4)} s] ${text}`);
  /** @type {(() => Promise<void>)[]} */
  const cleanups = [];
  const cleanUp = async () => {
    for (const step of cleanups.splice(0).reverse()) await step().catch(() => {});
  };
  const onSignal = () => void cleanUp().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    progress(`${plan.mode} mode, batch ${plan.batch}, budget ${Math.round(plan.budgetSeconds / 60)} min`);
    progress('dataset setup (scripts/setup-datasets.mjs --if-empty)');
    await runCommand(process.execPath, [join(ROOT, 'scripts', 'setup-datasets.mjs'), '--if-empty'], { cwd: ROOT });
    const outDir = mkdtempSync(join(os.tmpdir(), 'distillery-bench-'));
    cleanups.push(async () => rmSync(outDir, { recursive: true, force: true }));
    progress(`vite build → ${outDir}`);
    await runCommand(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', outDir, '--emptyOutDir'], { cwd: ROOT }).catch((error) => {
      throw new Error(`the build failed: ${error.message}`);
    });
    const server = await startPreview({ root: ROOT, outDir, port: opts.port });
    cleanups.push(async () => server.stop());
    progress(`serving on ${server.url}`);
    const { browser, executablePath, args } = await launchBrowser({ root: ROOT, headed: opts.headed, realGpu: opts.realGpu, extraArgs: opts.extraArgs });
    cleanups.push(() => browser.close());
    progress(`Chromium ${browser.version()} (${executablePath})`);

    const bench = await openBenchPage(browser, server.url, progress);
    const adapter = await bench.adapterInfo();
    const chartRedraw = await measureChartRedraw(bench, plan, progress);
    const backends = await probeBackends(bench, BACKENDS);
    for (const [name, b] of Object.entries(backends)) progress(`${name}: ${b.status}${b.reason ? ` (${b.reason})` : ''}`);
    if (backends.webgpu?.status !== 'available') progress('WebGPU is unavailable: the WebGPU figures are left out');
    const dataset = { baseUrl: await bench.datasetsBaseUrl(), name: DATASET };

    progress(`dataset load, ${plan.datasetRepeats}×`);
    // A worker of its own with no backend: loading is fetch, SHA-256 and decoding only.
    const load = await bench.run('dataset', { kind: 'dataset', ...dataset, repeats: plan.datasetRepeats });
    await bench.close('dataset');

    const cells = throughputCells();
    /** Measured speeds: the tiny CNN's scratch step by backend, and each (backend, model)'s first cell. */
    const context = { elapsed, secondsPerImage: /** @type {Record<string, number>} */ ({}), modelSecondsPerImage: /** @type {Record<string, number>} */ ({}), progress };
    const required = await measureCells(bench, plan, cells.filter((c) => c.required), dataset, backends, context);

    // A section that fails is reported (and makes the exit code 1) without losing the others.
    /** @type {{ section: string, message: string }[]} */
    const errors = [];
    const attempt = async (section, measure) => {
      try {
        return await measure();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        progress(`${section} failed: ${message}`);
        errors.push({ section, message });
        return null;
      }
    };
    const memory = backends.webgpu?.status === 'available' ? await attempt('memory', () => measureMemory(bench, plan, dataset, progress)) : null;
    const cacheBackend = fastestGpuBackend(context.secondsPerImage);
    const cacheRuns = cacheBackend ? await attempt('teacher cache', () => measureTeacherCache(bench, plan, cacheBackend, dataset, progress)) : null;
    progress(`app page: KD tiny-cnn → tiny-cnn, ${plan.app.subset} images, batch ${plan.app.batch}, ${plan.app.epochs} epoch(s), all panels open`);
    const longTasks = await attempt('app page', () => measureAppLongTasks(browser, server.url, plan.app, progress));
    if (longTasks) progress(`app page: ${longTasks.count} long tasks while training, longest ${Math.round(longTasks.longestMs)} ms`);
    const tsne = (await attempt('t-SNE', () => measureTsne(bench, plan, progress))) ?? [];
    const optional = await measureCells(bench, plan, cells.filter((c) => !c.required), dataset, backends, context);

    const throughput = [...required.rows, ...optional.rows];
    const fieldInRunServices = readFileSync(join(ROOT, 'src', 'training', 'run.ts'), 'utf8').includes('cacheTeacherOutputs');
    const cache = cacheRuns ? { ...cacheRuns, ...teacherCacheSpeedup(cacheRuns.runs), fieldInRunServices, secondsPerImage: context.secondsPerImage } : null;
    // The teacher trains one epoch: only the students' readings can show growth.
    const tensors = memory ? tensorsFlat(memory.readings.filter((r) => !r.learner.startsWith('teacher'))) : null;
    const results = {
      meta: {
        date: new Date().toISOString(),
        mode: plan.mode,
        commit: git(['rev-parse', '--short', 'HEAD']) || 'unknown',
        dirty: git(['status', '--porcelain']) !== '',
        durationSeconds: elapsed(),
        machine: machine(),
        browser: { version: browser.version(), executablePath, headed: opts.headed, args },
        adapter,
        batch: plan.batch,
        warmupSteps: plan.warmupSteps,
        timedSteps: plan.timedSteps,
        budgetSeconds: plan.budgetSeconds,
      },
      backends,
      targets: evaluateTargets({ throughput, longestTaskMs: longTasks?.longestMs ?? null, tensors, cacheSpeedup: cache?.speedup ?? null }),
      throughput,
      skipped: [...required.skipped, ...optional.skipped],
      firstStep: firstStepRows(throughput),
      teacherCache: cache,
      longTasks,
      chartRedraw,
      memory,
      dataset: { name: DATASET, ...load },
      tsne,
      notes: notes(plan),
      errors,
    };
    writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(ROOT, 'bench', 'results.md'), renderMarkdown(results));
    progress(`wrote bench/results.json and bench/results.md (${(elapsed() / 60).toFixed(1)} min)`);
    for (const t of results.targets) progress(`target: ${t.label}: ${t.detail} → ${t.pass === null ? 'not measured' : t.pass ? 'pass' : 'FAIL'}`);
    if (errors.length > 0) throw new Error(`${errors.length} section(s) failed: ${errors.map((e) => e.section).join(', ')} (see bench/results.md)`);
  } finally {
    await cleanUp();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function notes(plan) {
  const out = [
    'The figures come from WebGPU emulated on the CPU (SwiftShader) unless the adapter above is a real GPU: absolute speeds say nothing about a real GPU, the ratios and the memory, long-task and warm-up behaviour do.',
    'The bench workers skip the run\'s warm-up estimate (measureStepCosts); everything else is the app\'s own training code.',
    `The memory, teacher-cache and app runs train one batch of ${plan.batch} images per epoch, so that they fit the time here.`,
  ];
  if (plan.mode !== 'full') {
    out.push(`${plan.mode === 'smoke' ? 'Smoke' : 'Quick'} mode: batch ${plan.batch} instead of 64, ${plan.timedSteps} timed steps after ${plan.warmupSteps} warm-up; t-SNE of 5000 points runs ${plan.tsne[1]?.iterations} iterations (the last column projects 1000); the slower backends run the tiny CNN only.`);
  }
  return out;
}

main().catch((error) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
