#!/usr/bin/env node
// @ts-check
/**
 * The Node section of `npm run bench` (also `node bench/node.mjs`): the app's training step at batch 64 on
 * the wasm backend, for tiny-cnn and resnet8, as a ratio to the CPU baseline pinned in issue 14 (tfjs CPU
 * backend with the project's filter-gradient kernel, measured on a quiet 2-core machine), and beside it
 * PyTorch on the same CPU with the same thread count (one: tfjs-backend-wasm runs single-threaded in Node)
 * when a Python with `torch` is found ($PYTHON, `python3`, then `/usr/bin/python3`). `--cpu` also measures
 * the CPU backend in the same run, so its ratio does not depend on the pinned figure. Each model is also
 * timed on 64x64 images (an image folder imported at 64), so the README's cost of that size is a ratio from
 * the same run. Writes bench/results-node.json and bench/results-node.md.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import { findTorchPython, PYTHON_CANDIDATES } from '../scripts/torchPython.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Images per second, batch 64, one training step in Node, tfjs CPU backend (issue 14's baseline). */
export const PINNED_CPU_BASELINE = { 'tiny-cnn': 10.8, resnet8: 3.1 };
export const GATE_RATIO = 30;
/** PyTorch 1.13, one thread, on the same quiet machine and models (issue 14): scales a loaded run's figures. */
export const PINNED_TORCH_ONE_THREAD = { 'tiny-cnn': 1079, resnet8: 396 };
const MODELS = /** @type {const} */ (['tiny-cnn', 'resnet8']);

/** PyTorch's images/s per model, from the first Python that has torch, or a reason it is absent. */
function torchThroughput(batch, threads) {
  const python = findTorchPython();
  if (!python) return { absent: `no PyTorch run: no Python with torch (tried ${PYTHON_CANDIDATES.join(', ')})` };
  try {
    const output = execFileSync(python, [join(ROOT, 'python', 'bench_train_step.py'), '--device', 'cpu', '--threads', String(threads), '--batch', String(batch), ...MODELS], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const parsed = JSON.parse(output);
    return { version: parsed.torch, threads: parsed.threads, python, imagesPerSecond: Object.fromEntries(parsed.results.map((r) => [r.model, r.images_per_second])) };
  } catch (error) {
    return { absent: `no PyTorch run with ${python}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
}

function renderMarkdown(results) {
  const lines = [
    `# Training step in Node (batch ${results.batch})`,
    '',
    `${results.date}, commit ${results.commit}, ${results.machine.cpus} x ${results.machine.cpuModel}, load average ${results.machine.loadAverage.map((l) => l.toFixed(1)).join(' / ')} at the start.`,
    '',
    '| model | wasm images/s | vs pinned CPU baseline (gate 30x) | same, load-corrected | CPU backend this run | wasm vs CPU this run | PyTorch, same threads | wasm vs PyTorch | wasm images/s at 64x64 | time per image, 64x64 vs 32x32 |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of results.rows) {
    const cell = (value, digits = 1) => (value == null ? 'not measured' : value.toFixed(digits));
    lines.push(`| ${row.model} | ${cell(row.wasm)} | ${cell(row.vsPinned)}x ${row.gateMet ? '(met)' : '(not met)'} | ${row.vsPinnedLoadCorrected == null ? 'no PyTorch run' : `${row.vsPinnedLoadCorrected.toFixed(1)}x ${row.vsPinnedLoadCorrected >= GATE_RATIO ? '(met)' : '(not met)'}`} | ${cell(row.cpu)} | ${row.vsCpu == null ? 'not measured' : `${row.vsCpu.toFixed(1)}x`} | ${cell(row.torch)} | ${row.vsTorch == null ? 'not measured' : `${row.vsTorch.toFixed(2)}x`} | ${cell(row.wasm64)} | ${row.side64Cost == null ? 'not measured' : `${row.side64Cost.toFixed(1)}x`} |`);
  }
  lines.push('', results.torch.absent ?? `PyTorch ${results.torch.version}, ${results.torch.threads} thread(s), from ${results.torch.python}.`);
  lines.push(
    '',
    'The pinned baseline was measured on a quiet machine. "Load-corrected" divides out what other work on this machine cost this run: wasm / PyTorch in this run, times PyTorch one-thread on the quiet machine (issue 14: 1079 and 396 images/s), over the pinned CPU figure. Ratios within this run (wasm vs CPU, wasm vs PyTorch) need no correction if the load stayed steady; the load average is recorded.',
  );
  return `${lines.join('\n')}\n`;
}

/** Runs the section; `progress` logs a line. Returns the results object. */
export async function runNodeBench({ batch = 64, withCpu = false, progress = console.log } = {}) {
  const server = await createServer({ root: ROOT, server: { middlewareMode: true }, appType: 'custom', logLevel: 'error' });
  try {
    const steps = await server.ssrLoadModule('/bench/node/trainStep.ts');
    const torch = torchThroughput(batch, 1);
    progress(torch.absent ?? `PyTorch ${torch.version}: ${MODELS.map((m) => `${m} ${torch.imagesPerSecond[m].toFixed(0)}`).join(', ')} images/s`);
    const rows = [];
    for (const model of MODELS) {
      const wasm = (await steps.timeTrainingSteps('wasm', model, batch, 2, 5)).imagesPerSecond;
      const wasm64 = (await steps.timeTrainingSteps('wasm', model, batch, 1, 3, 64)).imagesPerSecond;
      const cpu = withCpu ? (await steps.timeTrainingSteps('cpu', model, batch, 1, 1)).imagesPerSecond : null;
      const torchRate = torch.imagesPerSecond?.[model] ?? null;
      const vsPinned = wasm / PINNED_CPU_BASELINE[model];
      const vsPinnedLoadCorrected = torchRate ? ((wasm / torchRate) * PINNED_TORCH_ONE_THREAD[model]) / PINNED_CPU_BASELINE[model] : null;
      rows.push({ model, wasm, vsPinned, gateMet: vsPinned >= GATE_RATIO, vsPinnedLoadCorrected, cpu, vsCpu: cpu ? wasm / cpu : null, torch: torchRate, vsTorch: torchRate ? wasm / torchRate : null, wasm64, side64Cost: wasm / wasm64 });
      progress(`${model}: wasm ${wasm.toFixed(1)} images/s, ${vsPinned.toFixed(1)}x the pinned CPU baseline${cpu ? `, CPU this run ${cpu.toFixed(1)}` : ''}; at 64x64 ${wasm64.toFixed(1)} images/s (${(wasm / wasm64).toFixed(1)}x the time per image)`);
    }
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', loadAverage: os.loadavg(), node: process.version };
    const results = { date: new Date().toISOString(), commit, batch, machine, pinnedCpuBaseline: PINNED_CPU_BASELINE, gateRatio: GATE_RATIO, torch, rows };
    writeFileSync(join(ROOT, 'bench', 'results-node.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(ROOT, 'bench', 'results-node.md'), renderMarkdown(results));
    return results;
  } finally {
    await server.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runNodeBench({ withCpu: process.argv.includes('--cpu') });
}
