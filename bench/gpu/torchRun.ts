/** PyTorch's timing of the same steps (python/bench_train_step.py), on CUDA when present, else the CPU. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';

export interface TorchResult {
  readonly model: string;
  readonly method: string;
  readonly batch: number;
  readonly images_per_second: number;
  readonly first_step_seconds: number;
}

/** The script's JSON, or why there is none. */
export type TorchRun = { readonly torch: string; readonly threads: number; readonly device: string; readonly device_name: string; readonly results: readonly TorchResult[] } | { readonly absent: string };

export interface TorchOptions {
  readonly python: string;
  readonly script: string;
  readonly models: readonly string[];
  readonly methods: readonly string[];
  readonly batch: number;
  readonly warmupSteps: number;
  readonly timedSteps: number;
  readonly threads: number;
}

export function runTorch(options: TorchOptions): TorchRun {
  if (!existsSync(options.script)) return { absent: `not run: ${options.script} is missing` };
  const args = [options.script, '--device', 'auto', '--threads', String(options.threads), '--batch', String(options.batch), '--warmup', String(options.warmupSteps), '--steps', String(options.timedSteps), '--methods', options.methods.join(','), ...options.models];
  try {
    const env = { ...process.env, PYTHONPATH: dirname(options.script), PYTHONDONTWRITEBYTECODE: '1' };
    return JSON.parse(execFileSync(options.python, args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] })) as TorchRun;
  } catch (error) {
    return { absent: `not run (${options.python} with torch): ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
}
