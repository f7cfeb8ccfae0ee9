/**
 * The GPU runner (bundled into one file by bench/gpu/build.mjs): the bench worker's training step on
 * tfjs's WebGPU backend in Node, through the `webgpu` package on whatever Vulkan device Dawn finds, beside
 * PyTorch on the same machine. Writes results-gpu.json and results-gpu.md into --out. Exit 0 when measured,
 * 3 when there is no Vulkan device, 1 on any other failure.
 *
 * node gpu-bench.mjs [--models tiny-cnn,resnet8,resnet20] [--methods scratch,kd] [--batch 64] [--warmup 2]
 *   [--steps 5] [--out bench] [--python python3] [--torch-script python/bench_train_step.py] [--threads N] [--no-torch] [--report-only]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isModelId, type ModelId } from '../../src/contract/modelCatalog';
import type { BenchMethod } from '../../src/contract/benchProtocol';
import { renderGpuMarkdown, reportRow, type GpuReport } from './report';
import { runTorch } from './torchRun';
import { installWebGpu, NO_ADAPTER_MESSAGE } from './webgpuDevice';

export const NO_DEVICE_EXIT_CODE = 3;
const METHODS: readonly BenchMethod[] = ['scratch', 'kd'];

interface RunnerOptions {
  readonly models: readonly ModelId[];
  readonly methods: readonly BenchMethod[];
  readonly batch: number;
  readonly warmupSteps: number;
  readonly timedSteps: number;
  readonly out: string;
  readonly python: string;
  readonly torchScript: string;
  readonly threads: number;
  readonly withTorch: boolean;
  /** Rewrite results-gpu.md from the results-gpu.json in --out; measure nothing. */
  readonly reportOnly: boolean;
}

function list<T extends string>(text: string, valid: (item: string) => item is T, what: string): T[] {
  const items = text.split(',').filter(Boolean);
  const bad = items.filter((item) => !valid(item));
  if (bad.length > 0) throw new Error(`unknown ${what}: ${bad.join(', ')}`);
  return items as T[];
}

function wholeNumber(text: string, what: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${what} wants a whole number, not ${text}`);
  return value;
}

function readOptions(argv: readonly string[]): RunnerOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      models: { type: 'string', default: 'tiny-cnn,resnet8,resnet20' },
      methods: { type: 'string', default: METHODS.join(',') },
      batch: { type: 'string', default: '64' },
      warmup: { type: 'string', default: '2' },
      steps: { type: 'string', default: '5' },
      out: { type: 'string', default: 'bench' },
      python: { type: 'string', default: process.env.PYTHON ?? 'python3' },
      'torch-script': { type: 'string', default: join('python', 'bench_train_step.py') },
      threads: { type: 'string', default: String(os.cpus().length) },
      'no-torch': { type: 'boolean', default: false },
      'report-only': { type: 'boolean', default: false },
    },
  });
  return {
    models: list(values.models, isModelId, 'model'),
    methods: list(values.methods, (m): m is BenchMethod => (METHODS as readonly string[]).includes(m), 'method'),
    batch: wholeNumber(values.batch, 'batch'),
    warmupSteps: Math.max(1, wholeNumber(values.warmup, 'warmup')),
    timedSteps: Math.max(1, wholeNumber(values.steps, 'steps')),
    out: values.out,
    python: values.python,
    torchScript: values['torch-script'],
    threads: wholeNumber(values.threads, 'threads'),
    withTorch: !values['no-torch'],
    reportOnly: values['report-only'],
  };
}

function writeReport(out: string, report: GpuReport): void {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'results-gpu.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(out, 'results-gpu.md'), renderGpuMarkdown(report));
}

async function run(options: RunnerOptions): Promise<number> {
  if (options.reportOnly) {
    writeReport(options.out, JSON.parse(readFileSync(join(options.out, 'results-gpu.json'), 'utf8')) as GpuReport);
    return 0;
  }
  const adapter = await installWebGpu();
  if (!adapter) {
    console.error(NO_ADAPTER_MESSAGE);
    return NO_DEVICE_EXIT_CODE;
  }
  console.log(`adapter: ${adapter.vendor} | ${adapter.architecture} | ${adapter.description} (${adapter.software ? 'software: figures are the CPU, not a GPU' : 'hardware GPU'})`);
  const torch = options.withTorch ? runTorch({ ...options, script: options.torchScript }) : { absent: 'not run (--no-torch)' };
  console.log('results' in torch ? `PyTorch ${torch.torch} on ${torch.device} (${torch.device_name})` : `PyTorch: ${torch.absent}`);
  const steps = await import('./gpuSteps');
  await steps.startWebGpuBackend();
  const rows = [];
  for (const model of options.models) {
    for (const method of options.methods) {
      const row = reportRow(await steps.measureCell(model, method, options.batch, options.warmupSteps, options.timedSteps), torch);
      console.log(`${model} ${method}: ours ${row.oursImagesPerSecond.toFixed(1)} images/s, bare tfjs ${row.baselineImagesPerSecond.toFixed(1)}, PyTorch ${row.torchImagesPerSecond?.toFixed(1) ?? '–'}, first step ${row.firstStepSeconds.toFixed(2)} s`);
      rows.push(row);
    }
  }
  const machine = { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown' };
  const settings = { batch: options.batch, warmupSteps: options.warmupSteps, timedSteps: options.timedSteps };
  const label = adapter.software ? 'software adapter (CPU), not a GPU figure' : 'GPU';
  const report: GpuReport = { date: new Date().toISOString(), label, adapter, machine, settings, torch, rows };
  writeReport(options.out, report);
  console.log(`wrote ${join(options.out, 'results-gpu.json')} and results-gpu.md (${label})`);
  return 0;
}

// Dawn keeps the process alive after the work is done: leave explicitly, with the outcome's code.
run(readOptions(process.argv.slice(2))).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
