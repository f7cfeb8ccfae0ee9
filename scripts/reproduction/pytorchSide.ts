/**
 * The reproduction's PyTorch side (`npm run reproduce:pytorch`): the very runs of `npm run reproduce` (same
 * configs, seeds, ready teacher), each exported as the page's "Run it on PyTorch" zip and run by
 * `python3 -m distillery_torch` on one machine, which draws the page's initial weights, data order and
 * augmentation. The package keeps no checkpoints, so a run is the unit of resuming: a run with a bundle is
 * skipped, any other starts from the beginning.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { readBundleSummary, refuseOtherSettings } from './bundle';
import { keptModelsDir } from './keptModels';
import type { ReproductionOptions } from './options';
import { plannedRuns } from './recipe';
import { findReadyTeacher } from './readyTeacher';
import { withRunExport } from './runExport';

export interface PytorchSideOptions {
  /** A Python with torch and numpy (Debian's python3-torch). */
  readonly python: string;
  /** The CIFAR data in its official layout (a folder holding cifar-10-batches-bin/, or the .tar.gz). */
  readonly data: string;
  /** OMP threads of the run (1: a rerun gives the same numbers). */
  readonly threads: number;
  /** Every initial weight one float step off the page's (`--nudge-init`): the float-noise control. */
  readonly nudgeInit?: boolean;
  /** The folder holding the package (`python/`). */
  readonly packageDir: string;
}

export type PytorchRunStatus = 'skipped' | 'finished';

/** Copies the run's models (distillery_torch's `models/<key>.safetensors`) to where `--keep-models on` keeps them. */
function keepModels(from: string, to: string, log: (line: string) => void): void {
  mkdirSync(to, { recursive: true });
  const files = readdirSync(from).filter((f) => f.endsWith('.safetensors'));
  for (const file of files) copyFileSync(path.join(from, file), path.join(to, file));
  log(`kept its models in ${to}: ${files.join(', ')}`);
}

/** Exports and runs every planned run that has no bundle in `options.out` yet; each bundle lands there. */
export function reproducePytorch(options: ReproductionOptions, side: PytorchSideOptions, log: (line: string) => void): { name: string; status: PytorchRunStatus; seconds?: number }[] {
  const teacher = findReadyTeacher(options.teachersDir, options.teacher);
  mkdirSync(options.out, { recursive: true });
  const report: { name: string; status: PytorchRunStatus; seconds?: number }[] = [];
  for (const run of plannedRuns(options, teacher)) {
    const done = readBundleSummary(run.bundleFile);
    if (done) {
      refuseOtherSettings(run.bundleFile, run.config, done.config);
      log(`${run.name}: finished before (${run.bundleFile}), skipped`);
      report.push({ name: run.name, status: 'skipped' });
      continue;
    }
    withRunExport(options, teacher, run, (zip, scratch) => {
      log(`${run.name}: python3 -m distillery_torch on ${side.threads} thread(s)${side.nudgeInit ? ', initial weights nudged' : ''}`);
      const started = performance.now();
      const out = path.join(scratch, 'out');
      const result = spawnSync(side.python, ['-m', 'distillery_torch', '--config', zip, '--data', side.data, '--out', out, '--device', 'cpu', ...(side.nudgeInit ? ['--nudge-init'] : [])], {
        env: { ...process.env, PYTHONPATH: side.packageDir, OMP_NUM_THREADS: String(side.threads), PYTHONDONTWRITEBYTECODE: '1' },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      if (result.status !== 0) throw new Error(`${run.name}: distillery_torch exited with ${result.status ?? result.signal}${result.error ? ` (${result.error.message})` : ''}.`);
      const bundle = readdirSync(out).find((f) => f.endsWith('.distillery-run.json'));
      if (!bundle) throw new Error(`${run.name}: distillery_torch wrote no run bundle in ${out}.`);
      copyFileSync(path.join(out, bundle), run.bundleFile);
      if (options.keepModels) keepModels(path.join(out, 'models'), keptModelsDir(options.out, run.name), log);
      const seconds = (performance.now() - started) / 1000;
      log(`${run.name}: finished in ${seconds.toFixed(1)} s -> ${run.bundleFile}`);
      report.push({ name: run.name, status: 'finished', seconds });
    });
  }
  return report;
}
