/**
 * The reproduction's runs: one page run per (seed, method), each the page's RunConfig with the ready teacher
 * as its saved teacher (evaluated, not trained) and the reference recipe (SGD lr 0.05, momentum 0.9, weight
 * decay 5e-4, cosine, batch 64, random crop and flip). KD: T 4, ceWeight 0.1, alpha 0.9 (RepDistiller);
 * oracle: gamma 0.2, T 1.5, ceWeight 1, alpha 1 (the reference README). Every other setting is the page's
 * default (a 10% hold-out of the training subset included, unless `--holdout off`).
 */
import path from 'node:path';
import { DEFAULT_CONFIG } from '../../src/config/fields';
import type { RunConfig } from '../../src/config/runConfig';
import { defaultMethodParams } from '../../src/contract/methodCatalog';
import type { ReadyTeacher } from '../../src/contract/readyTeachers';
import type { ReproductionMethod, ReproductionOptions } from './options';

const METHOD_PARAMS: Readonly<Record<ReproductionMethod, Readonly<Record<string, number>>>> = {
  kd: { T: 4, ceWeight: 0.1, alpha: 0.9 },
  oracle: { gamma: 0.2, T: 1.5, ceWeight: 1, alpha: 1 },
};

export interface PlannedRun {
  readonly seed: number;
  readonly method: ReproductionMethod;
  /** `kd-seed-1`: the stem of its bundle and checkpoint files. */
  readonly name: string;
  readonly config: RunConfig;
  readonly bundleFile: string;
  readonly checkpointFile: string;
}

export function reproductionConfig(options: ReproductionOptions, teacher: ReadyTeacher, seed: number, method: ReproductionMethod): RunConfig {
  return {
    ...DEFAULT_CONFIG,
    dataset: options.dataset,
    teacher: teacher.model,
    savedTeacher: teacher.savedModelId,
    student: options.student,
    method,
    epochs: options.epochs,
    subset: options.subset,
    testSubset: options.testSubset,
    holdout: options.holdout,
    batch: 64,
    lr: 0.05,
    schedule: 'cosine',
    momentum: 0.9,
    weightDecay: 5e-4,
    nesterov: false,
    augment: true,
    seed,
    backend: options.backend,
    methodParams: { ...defaultMethodParams(method), ...METHOD_PARAMS[method] },
  };
}

/** Seeds outermost, so an interrupted reproduction has every method of its first seeds. */
export function plannedRuns(options: ReproductionOptions, teacher: ReadyTeacher): PlannedRun[] {
  return options.seeds.flatMap((seed) =>
    options.methods.map((method) => {
      const name = `${method}-seed-${seed}`;
      return {
        seed,
        method,
        name,
        config: reproductionConfig(options, teacher, seed, method),
        bundleFile: path.join(options.out, `${name}.distillery-run.json`),
        checkpointFile: path.join(options.out, `${name}.checkpoint`),
      };
    }),
  );
}
