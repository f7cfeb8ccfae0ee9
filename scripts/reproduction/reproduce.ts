/**
 * The reproduction (`npm run reproduce`): every (seed, method) run of the page's own training code, in
 * order. A run whose bundle exists is skipped, a run whose checkpoint file exists is resumed from it (the
 * numbers are those of a run that never stopped), any other run starts. Each finished run leaves its run
 * bundle; an interrupted one leaves its checkpoint of the last finished epoch.
 */
import { existsSync, mkdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../src/config/runConfig';
import { installFastCpuConvFilterGrad } from '../../src/training/cpuConvFilterGrad';
import { RunControl } from '../../src/training/runControl';
import { kernelThreadCount } from '../../src/training/wasm/kernelModule';
import { startWasmBackend } from '../../src/training/wasm/wasmBackend';
import { spawnNodeKernelThread } from '../nodeKernelThreads';
import { readBundleSummary, refuseOtherSettings } from './bundle';
import { readDiskDataset } from './dataset';
import { readCheckpointFile } from './checkpointFile';
import type { ReproductionBackend, ReproductionOptions } from './options';
import { plannedRuns, type PlannedRun } from './recipe';
import { findReadyTeacher, readyTeacherLoader } from './readyTeacher';
import { trainRun, type RunEnvironment } from './runOne';

export interface ReproductionIo {
  readonly log: (line: string) => void;
  /** The control of each run as it starts; the command stops it on Ctrl-C, a test after an epoch. */
  readonly control?: (run: PlannedRun) => RunControl;
}

export type RunStatus = 'skipped' | 'finished' | 'interrupted';

export interface ReproductionReport {
  readonly runs: readonly { readonly name: string; readonly status: RunStatus; readonly seconds?: number }[];
  /** Whether every run has its bundle now. */
  readonly complete: boolean;
}

/**
 * The page's RunControl, letting Node's event loop turn before every batch: the training loop awaits only
 * settled promises on wasm and cpu, so without it a Ctrl-C would wait for the whole run to end.
 */
export class NodeRunControl extends RunControl {
  override async gate(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    return super.gate();
  }
}

export class ReproductionError extends Error {
  override readonly name = 'ReproductionError';
}

/**
 * Starts tfjs's backend in Node: WebAssembly (the page's CPU-side training backend), its training kernels on
 * `threads` threads, or plain CPU.
 */
export async function startBackend(backend: ReproductionBackend, threads = 1): Promise<string> {
  if (backend === 'wasm') {
    if (!(await startWasmBackend(threads > 1 ? { spawn: spawnNodeKernelThread, count: threads } : undefined))) throw new ReproductionError('The wasm backend did not start here: run with --backend cpu.');
    if (kernelThreadCount() !== threads) throw new ReproductionError(`The training kernels could not start ${threads} threads here: run with --threads 1.`);
  } else {
    await tf.setBackend('cpu');
    await tf.ready();
    installFastCpuConvFilterGrad();
  }
  return tf.getBackend();
}

/** The first setting in which `found` differs from `planned`, as words, or null when it has them all. */
export async function reproduce(options: ReproductionOptions, io: ReproductionIo): Promise<ReproductionReport> {
  const teacher = findReadyTeacher(options.teachersDir, options.teacher);
  const { data } = readDiskDataset(options.datasetsDir, options.dataset);
  const backend = await startBackend(options.backend, options.threads);
  mkdirSync(options.out, { recursive: true });
  const env: RunEnvironment = { data, loadSavedTeacher: readyTeacherLoader(options.teachersDir, teacher), backend, runner: `Node ${process.version}, npm run reproduce${options.threads > 1 ? `, kernels on ${options.threads} threads` : ''}`, log: io.log, ...(options.keepModels ? { keepModelsIn: options.out } : {}) };
  const runs = plannedRuns(options, teacher);
  io.log(`reproduction: ${runs.length} runs (${options.methods.join(', ')} x seeds ${options.seeds.join(', ')}), ready ${teacher.label} -> ${options.student}, ${options.epochs} epochs, backend ${backend}, into ${options.out}`);
  const report: ReproductionReport['runs'][number][] = [];
  for (const run of runs) {
    const done = readBundleSummary(run.bundleFile);
    if (done) {
      refuseOtherSettings(run.bundleFile, run.config, done.config);
      io.log(`${run.name}: finished before (${run.bundleFile}), skipped`);
      report.push({ name: run.name, status: 'skipped', seconds: done.seconds });
      continue;
    }
    const resume = readCheckpointFile(run.checkpointFile);
    if (resume) refuseOtherSettings(run.checkpointFile, run.config, resume.checkpoint.config as unknown as Record<string, unknown>);
    io.log(resume ? `${run.name}: resuming after ${resume.checkpoint.phase} epoch ${resume.checkpoint.epochsDone} of ${resume.checkpoint.epochs}` : `${run.name}: starting`);
    const end = await trainRun(run, env, io.control?.(run) ?? new NodeRunControl(), resume);
    if (!end.finished) {
      const next = existsSync(run.checkpointFile) ? `its checkpoint ${run.checkpointFile} resumes it` : 'it had no finished epoch yet, so it starts again';
      io.log(`${run.name}: interrupted; ${next} on the next run of this command`);
      report.push({ name: run.name, status: 'interrupted' });
      return { runs: report, complete: false };
    }
    io.log(`${run.name}: finished in ${end.seconds.toFixed(1)} s wall time -> ${run.bundleFile}`);
    report.push({ name: run.name, status: 'finished', seconds: end.seconds });
  }
  io.log('wall time of each run:');
  for (const r of report) io.log(`  ${r.name}: ${r.seconds!.toFixed(1)} s${r.status === 'skipped' ? ' (finished before, from its bundle)' : ''}`);
  return { runs: report, complete: true };
}
