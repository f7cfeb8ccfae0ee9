/**
 * `npm run reproduce:compare`: the models the reproduction kept (`--keep-models on`) on several sides (ours,
 * PyTorch on 1 thread, on 2), learner by learner, scored on the run's test images by
 * `python3 -m distillery_torch.compare_models` against the first side's: where their decisions part and
 * which way, how far apart their probabilities and their weights are. What a bundle's last-epoch accuracy
 * cannot tell: whether two runs that score alike decide alike.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readBundleSummary, refuseOtherSettings } from './bundle';
import { keptModelFile } from './keptModels';
import type { ReproductionOptions } from './options';
import type { PytorchSideOptions } from './pytorchSide';
import { plannedRuns } from './recipe';
import { findReadyTeacher } from './readyTeacher';
import { withRunExport } from './runExport';

/** The trained learners of every reproduction run (the ready teacher is evaluated, not trained). */
export const COMPARED_LEARNERS = ['scratch', 'student'] as const;

export interface ModelScores {
  /** The side's folder, as `--sides` gave it. */
  readonly side: string;
  readonly accuracy: number;
  readonly nll: number;
}

/** One side's model against the reference side's (`compare_models.py`'s `others` entries). */
export interface ModelAgainstReference extends ModelScores {
  readonly parted: number;
  readonly referenceOnlyRight: number;
  readonly otherOnlyRight: number;
  readonly accuracyGap: number;
  /** Per true class, images right only here minus right only in the reference; they sum to the gap in images. */
  readonly classGaps: readonly number[];
  readonly meanProbabilityDistance: number;
  readonly referenceMarginMedian: number;
  readonly referenceMarginMedianWhereParted: number | null;
  readonly weightDistance: { readonly weights: number; readonly batchNormAffine: number; readonly batchNormRunning: number };
}

export interface LearnerComparison {
  readonly run: string;
  readonly learner: string;
  readonly images: number;
  readonly reference: ModelScores;
  readonly others: readonly ModelAgainstReference[];
}

export class CompareSidesError extends Error {
  override readonly name = 'CompareSidesError';
}

/** The kept model files of `learner` in `run` on every side, refused with what to do when one is missing. */
function keptFiles(sides: readonly string[], run: string, learner: string): string[] {
  return sides.map((side) => {
    const file = keptModelFile(side, run, learner);
    if (!existsSync(file)) throw new CompareSidesError(`${file} is missing: run that side again with --keep-models on (delete its ${run} bundle first, or give another --out).`);
    return file;
  });
}

type WithFile<T> = Omit<T, 'side'> & { readonly file: string };
/** What `compare_models.py` prints: each model named by its file. */
interface PackageReport {
  readonly images: number;
  readonly reference: WithFile<ModelScores>;
  readonly others: readonly WithFile<ModelAgainstReference>[];
}

/** The package's report with each model named by its side instead of its file (the report outlives the files). */
function withSides(run: string, learner: string, report: PackageReport, sides: readonly string[]): LearnerComparison {
  const { file: _reference, ...reference } = report.reference;
  const others = report.others.map(({ file: _file, ...other }, i) => ({ side: sides[i + 1]!, ...other }));
  return { run, learner, images: report.images, reference: { side: sides[0]!, ...reference }, others };
}

/** Compares every planned run's learners across `sides` (the first is the reference). */
export function compareSides(options: ReproductionOptions, sides: readonly string[], python: Omit<PytorchSideOptions, 'threads'>, log: (line: string) => void): LearnerComparison[] {
  if (sides.length < 2) throw new CompareSidesError('--sides needs at least two folders, the reference first: reproduction/pytorch,reproduction/page');
  const teacher = findReadyTeacher(options.teachersDir, options.teacher);
  const comparisons: LearnerComparison[] = [];
  for (const run of plannedRuns(options, teacher)) {
    for (const side of sides) {
      const bundle = path.join(side, path.basename(run.bundleFile));
      const done = readBundleSummary(bundle);
      if (!done) throw new CompareSidesError(`${bundle} is missing: that side has not finished ${run.name}.`);
      refuseOtherSettings(bundle, run.config, done.config);
    }
    withRunExport(options, teacher, run, (zip) => {
      for (const learner of COMPARED_LEARNERS) {
        const files = keptFiles(sides, run.name, learner);
        const result = spawnSync(python.python, ['-m', 'distillery_torch.compare_models', '--config', zip, '--data', python.data, ...files], {
          env: { ...process.env, PYTHONPATH: python.packageDir, PYTHONDONTWRITEBYTECODE: '1' },
          encoding: 'utf8',
          maxBuffer: 16 * 1024 * 1024,
        });
        if (result.status !== 0) throw new CompareSidesError(`${run.name} ${learner}: distillery_torch.compare_models exited with ${result.status ?? result.signal}:\n${result.stderr ?? ''}${result.error?.message ?? ''}`);
        const comparison = withSides(run.name, learner, JSON.parse(result.stdout) as PackageReport, sides);
        comparisons.push(comparison);
        for (const line of comparisonLines(comparison)) log(line);
      }
    });
  }
  return comparisons;
}

const percent = (x: number) => `${(100 * x).toFixed(2)}%`;
const signed = (points: number) => `${points >= 0 ? '+' : '−'}${Math.abs(points).toFixed(2)}`;

/** A learner's comparison in words: the reference's scores, then each side against it. */
export function comparisonLines(c: LearnerComparison): string[] {
  const lines = [`${c.run} ${c.learner}: ${c.reference.side} ${percent(c.reference.accuracy)}, NLL ${c.reference.nll.toFixed(4)} on ${c.images} images`];
  c.others.forEach((o) => {
    const where = o.referenceMarginMedianWhereParted === null ? '' : `, where the reference's median top-2 margin is ${o.referenceMarginMedianWhereParted.toFixed(3)} (${o.referenceMarginMedian.toFixed(3)} over all)`;
    lines.push(
      `  ${o.side}: ${percent(o.accuracy)} (${signed(100 * o.accuracyGap)} points), NLL ${o.nll.toFixed(4)}; decisions part on ${o.parted} images (${o.referenceOnlyRight} right only in the reference, ${o.otherOnlyRight} only here)${where}; mean probability distance ${o.meanProbabilityDistance.toFixed(4)}; relative weight distance ${o.weightDistance.weights.toFixed(4)}, BatchNorm affine ${o.weightDistance.batchNormAffine.toFixed(4)}, running statistics ${o.weightDistance.batchNormRunning.toFixed(4)}`,
    );
  });
  return lines;
}
