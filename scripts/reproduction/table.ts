/**
 * The README's reproduction table, built from the committed run bundles only (`reproduction/page/`, made by
 * `npm run reproduce`, and `reproduction/pytorch/`, by `npm run reproduce:pytorch`), so the table cannot
 * drift from them: `npm run reproduce:table` writes it between the README's markers and
 * tests/scripts/reproductionTable.test.ts fails when the two differ.
 *
 * Per seed and learner: last-epoch test accuracy and ECE on both sides and the gap |ours − PyTorch| against
 * the 1-point target; mean ± sd over seeds; ours − PyTorch signed, with its t-interval over seeds; the
 * orderings (KD − scratch, oracle − KD, oracle − scratch) per seed with the mean and its 95% t-interval over
 * seeds (the Runs panel's interval), reported, not asserted.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { holdoutCount } from '../../src/core/holdout';
import { mean, sampleStd, tInterval } from '../../src/core/intervals';
import { parseRunBundle } from '../../src/storage/page/runBundle';
import type { SavedRun } from '../../src/storage/page/runStore';
import { signedPoints } from '../../src/viz/comparison';
import { modelComparisonNote } from './comparisonTable';
import type { LearnerComparison } from './compareSides';
import { REPRODUCTION_METHODS, type ReproductionMethod } from './options';

export const TABLE_START = '<!-- reproduction-table: built by `npm run reproduce:table` from reproduction/*/ -->';
export const TABLE_END = '<!-- /reproduction-table -->';
/** The issue's target: per seed, ours and PyTorch's accuracy within this many points. */
export const GAP_TARGET_POINTS = 1;
/** Whether a gap of `points` (its size) meets the target; the tolerance keeps 1.00 from failing on float noise. */
const meetsTarget = (points: number) => points <= GAP_TARGET_POINTS + 1e-9;

export type Side = 'page' | 'pytorch' | 'pytorch-2-threads' | 'pytorch-nudged';
/**
 * The two sides the table compares. The others are controls, PyTorch against itself: `pytorch-2-threads` (2 threads
 * reorder some of its float sums) and `pytorch-nudged` (every initial weight one float step off, `--nudge-init`).
 */
export const SIDES: readonly Side[] = ['page', 'pytorch'];
const CONTROL_SIDES: readonly Side[] = ['pytorch-2-threads', 'pytorch-nudged'];
const SIDE_LABEL: Readonly<Record<Side, string>> = { page: 'ours (page code, wasm)', pytorch: 'PyTorch (distillery_torch)', 'pytorch-2-threads': 'PyTorch on 2 threads', 'pytorch-nudged': 'PyTorch nudged' };

/** One finished run as the table reads it. */
export interface ReproducedRun {
  readonly side: Side;
  readonly method: ReproductionMethod;
  readonly seed: number;
  readonly epochs: number;
  readonly trainImages: number;
  readonly testImages: number;
  readonly seconds: number;
  readonly teacher: Outcome;
  readonly scratch: Outcome;
  readonly student: Outcome;
}

export interface Outcome {
  /** Last-epoch test accuracy, a fraction. */
  readonly accuracy: number;
  readonly ece: number;
  /** Last-epoch test negative log-likelihood: a smoother measure of the same model than its accuracy. */
  readonly nll: number;
  /** Test accuracy after each epoch (empty for the teacher, which is evaluated once). */
  readonly curve: readonly number[];
  /** Mean training loss of each epoch (empty for the teacher). */
  readonly lossCurve: readonly number[];
  /** Test NLL after each epoch (empty for the teacher). */
  readonly nllCurve: readonly number[];
}

const BUNDLE_NAME = /^(kd|oracle)-seed-(\d+)\.distillery-run\.json$/;

function outcome(run: SavedRun, key: string, file: string): Outcome {
  const result = run.results.find((r) => r.key === key);
  if (!result) throw new Error(`${file} has no "${key}" result.`);
  const epochs = run.epochs.filter((e) => e.learner === key);
  return { accuracy: result.lastAccuracy, ece: result.ece, nll: result.nll, curve: epochs.map((e) => e.testAccuracy), lossCurve: epochs.map((e) => e.trainLoss), nllCurve: epochs.map((e) => e.testNll) };
}

/** Every `<method>-seed-<n>` bundle of one side's folder, read by the page's own bundle importer. */
export function readSide(dir: string, side: Side): ReproducedRun[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => BUNDLE_NAME.test(f))
    .sort()
    .map((f) => {
      const [, method, seed] = BUNDLE_NAME.exec(f)!;
      const file = path.join(dir, f);
      const { run } = parseRunBundle(readFileSync(file, 'utf8'), { newId: () => f, now: 0, fileName: f });
      if (run.config.method !== method || run.config.seed !== Number(seed)) throw new Error(`${file} holds a ${run.config.method} run with seed ${run.config.seed}, not what its name says.`);
      if (run.stopped) throw new Error(`${file} is a stopped run: the table takes finished runs only.`);
      const epochs = run.epochs.filter((e) => e.learner === 'student').length;
      const trainImages = run.config.subset - holdoutCount(run.config.subset, run.config.holdout === true);
      return { side, method: method as ReproductionMethod, seed: Number(seed), epochs, trainImages, testImages: run.config.testSubset, seconds: run.seconds, teacher: outcome(run, 'teacher0', file), scratch: outcome(run, 'scratch', file), student: outcome(run, 'student', file) };
    });
}

export function readReproduction(root: string): ReproducedRun[] {
  return [...SIDES, ...CONTROL_SIDES].flatMap((side) => readSide(path.join(root, side), side));
}

/** The wider control: KD runs on fewer images over more seeds, on all three sides, in `<root>/control-1024/<side>/`. */
export const SMALL_SCALE_DIR = 'control-1024';

export function readSmallScale(root: string): ReproducedRun[] {
  return readReproduction(path.join(root, SMALL_SCALE_DIR));
}

/** Signed gaps (fractions) in points: how many meet the target, the mean size, the widest, the signed mean. */
function gapSummary(gaps: readonly number[], listEach: boolean): string {
  const sizes = gaps.map((g) => Math.abs(g) * 100);
  const within = sizes.filter(meetsTarget).length;
  const each = listEach ? ` (${gaps.map((g) => signedPoints(g, 2)).join(', ')})` : '';
  return `within ${GAP_TARGET_POINTS} point on ${within} of ${gaps.length} pairs, mean |gap| ${mean(sizes).toFixed(2)}, widest ${Math.max(...sizes).toFixed(2)}, signed mean ${signedPoints(mean(gaps), 2)}${each}`;
}

/**
 * Ours and PyTorch on 2 threads, each against PyTorch on 1 thread: last-epoch accuracy of every seed's scratch
 * twin and KD student. Many cheap pairs say what one draw of the full runs cannot: how far apart two faithful
 * float implementations end.
 */
export function smallScaleNote(runs: readonly ReproducedRun[]): string {
  const against = (side: Side) => runs.filter((r) => r.side === side).flatMap((r) => {
    const one = runs.find((x) => x.side === 'pytorch' && x.method === r.method && x.seed === r.seed);
    return one ? [r.scratch.accuracy - one.scratch.accuracy, r.student.accuracy - one.student.accuracy] : [];
  });
  const ours = against('page');
  const twoThreads = against('pytorch-2-threads');
  if (ours.length === 0 || twoThreads.length === 0) return '';
  const seeds = [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b);
  const shapes = [...new Set(runs.map((r) => `${r.epochs} epochs on ${r.trainImages} training images, ${r.testImages} test images`))];
  return `**A wider control, at a smaller scale.** The KD runs again with \`--subset 1024\` (${shapes.join('; ')}), seeds ${seeds.join(', ')}, on all three sides (bundles in \`reproduction/${SMALL_SCALE_DIR}/\`); last-epoch accuracy of each seed's scratch twin and KD student, in points against PyTorch on 1 thread. Ours: ${gapSummary(ours, true)}. PyTorch on 2 threads: ${gapSummary(twoThreads, true)}.`;
}

/** One learner of one seed run on PyTorch with 2 threads and with 1, and nudged and by ours when they ran. */
interface ControlPair {
  readonly learner: Learner;
  readonly seed: number;
  readonly twoThreads: Outcome;
  readonly oneThread: Outcome;
  readonly nudged: Outcome | undefined;
  readonly ours: Outcome | undefined;
}
type PairWithOurs = ControlPair & { readonly ours: Outcome };

/** Every learner with a 2-thread and a 1-thread run, learner by learner; a seed's scratch twin counts once. */
function controlPairs(runs: readonly ReproducedRun[]): ControlPair[] {
  const seeds = [...new Set(runs.filter((r) => r.side === 'pytorch-2-threads').map((r) => r.seed))].sort((a, b) => a - b);
  return LEARNERS.flatMap((learner) =>
    seeds.flatMap((seed) => {
      const twoThreads = find(runs, 'pytorch-2-threads', learner, seed);
      const oneThread = find(runs, 'pytorch', learner, seed);
      return twoThreads && oneThread ? [{ learner, seed, twoThreads, oneThread, nudged: find(runs, 'pytorch-nudged', learner, seed), ours: find(runs, 'page', learner, seed) }] : [];
    }),
  );
}

/**
 * The noise floor under the gaps: runs repeated on PyTorch with 2 threads instead of 1 (same seed, weights, data
 * and augmentation; only the order of float sums differs) and, when they ran, with every initial weight one float
 * step off, against the 1-thread runs, beside ours against them.
 */
function controlNote(runs: readonly ReproducedRun[]): string[] {
  const pairs = controlPairs(runs);
  if (pairs.length === 0) return [];
  const signed = (a: Outcome, b: Outcome) => signedPoints(a.accuracy - b.accuracy, 2);
  /** The largest gap after any epoch: the trajectories part and meet again, so the last epoch's is one draw. */
  const widest = (a: Outcome, b: Outcome) => (Math.max(...a.curve.map((v, i) => Math.abs(v - (b.curve[i] ?? v)))) * 100).toFixed(2);
  const cells = (o: Outcome | undefined, oneThread: Outcome) => (o ? `${signed(o, oneThread)} | ${widest(o, oneThread)}` : '— | —');
  const withOurs = pairs.filter((p): p is PairWithOurs => p.ours !== undefined);
  const nudged = pairs.some((p) => p.nudged);
  const gapsOf = (side: 'nudged' | 'ours') => pairs.flatMap((p) => (p[side] ? [p[side].accuracy - p.oneThread.accuracy] : []));
  return [
    `**The noise floor.** The same runs on PyTorch with 2 threads instead of 1 (\`--threads 2\`: same seed, initial weights, batches and augmentation; only the order of float sums differs; bundles in \`reproduction/pytorch-2-threads/\`)${nudged ? ', and on 1 thread with every initial weight nudged one float step up or down (`--nudge-init`: a start that differs from the page\'s in its last bit only; bundles in `reproduction/pytorch-nudged/`)' : ''}, each learner against its 1-thread run, beside ours against the same run: last-epoch accuracy, signed, in points, and the widest gap after any epoch.`,
    '',
    `| Learner | Seed | 2 threads − 1 thread | Widest |${nudged ? ' Nudged − 1 thread | Widest |' : ''} Ours − 1 thread | Widest |`,
    `| --- | --- | ---: | ---: |${nudged ? ' ---: | ---: |' : ''} ---: | ---: |`,
    ...pairs.map((p) => `| ${LEARNER_LABEL[p.learner]} | ${p.seed} | ${cells(p.twoThreads, p.oneThread)} |${nudged ? ` ${cells(p.nudged, p.oneThread)} |` : ''} ${cells(p.ours, p.oneThread)} |`),
    '',
    `PyTorch on 2 threads against 1: ${gapSummary(pairs.map((p) => p.twoThreads.accuracy - p.oneThread.accuracy), false)}.${nudged ? ` PyTorch nudged against 1 thread on the same pairs: ${gapSummary(gapsOf('nudged'), false)}.` : ''}${withOurs.length > 0 ? ` Ours against 1 thread on the same pairs: ${gapSummary(gapsOf('ours'), false)}.` : ''}`,
    ...(withOurs.length > 0 ? [nearerOrFarther(withOurs), '', closeness(withOurs), '', epochByEpochGaps(withOurs)] : []),
  ];
}

/** On how many pairs ours ends farther from the 1-thread run than the 2-thread run does, in accuracy and in test NLL. */
function nearerOrFarther(pairs: readonly PairWithOurs[]): string {
  const count = (measure: (o: Outcome) => number) => {
    const sides = pairs.map((p) => [Math.abs(measure(p.ours) - measure(p.oneThread)), Math.abs(measure(p.twoThreads) - measure(p.oneThread))] as const);
    return { farther: sides.filter(([ours, two]) => ours > two + 1e-12).length, nearer: sides.filter(([ours, two]) => ours < two - 1e-12).length, ours: mean(sides.map(([o]) => o)), two: mean(sides.map(([, t]) => t)) };
  };
  const accuracy = count((o) => o.accuracy);
  const nll = count((o) => o.nll);
  const ties = (c: { farther: number; nearer: number }) => pairs.length - c.farther - c.nearer;
  return `Ours ends farther from the 1-thread run than the 2-thread run does on ${accuracy.farther} of ${pairs.length} pairs in accuracy (nearer on ${accuracy.nearer}, tied on ${ties(accuracy)}), and on ${nll.farther} of ${pairs.length} in the last epoch's test NLL (nearer on ${nll.nearer}; mean |gap| ${nll.two.toFixed(4)} on 2 threads, ${nll.ours.toFixed(4)} ours).`;
}

/**
 * How much wider ours' gap to the 1-thread run is than each twin's, as an interval: the sign counts say whether ours
 * is farther, this says by how much at most. A seed's learners share its batches, so they are averaged per seed
 * first and the seeds are the sample; the 90% interval's upper end bounds the difference at 95%, one-sided.
 */
function closeness(pairs: readonly PairWithOurs[]): string {
  const seeds = [...new Set(pairs.map((p) => p.seed))];
  type Twin = readonly ['twoThreads' | 'nudged', string];
  const twins: Twin[] = [['twoThreads', 'the 2-thread run'], ...(pairs.every((p) => p.nudged) ? [['nudged', 'the nudged run'] as const] : [])];
  const against = twins.map(([twin, label]) => {
    const perSeed = seeds.map((seed) =>
      mean(pairs.filter((p) => p.seed === seed).map((p) => Math.abs(p.ours.accuracy - p.oneThread.accuracy) - Math.abs(p[twin]!.accuracy - p.oneThread.accuracy))),
    );
    const interval = tInterval(perSeed, 0.9);
    return interval ? `against ${label} ${signedPoints(interval.estimate, 2)} [${signedPoints(interval.lo, 2)}, ${signedPoints(interval.hi, 2)}]` : `against ${label} one seed only, no interval`;
  });
  return `By how much ours' gap to the 1-thread run is wider than each twin's, in accuracy points: per seed, the mean over its learners (they share the seed's batches) of |ours − 1 thread| − |twin − 1 thread|; then the mean over the ${seeds.length} seeds with its 90% t-interval, whose upper end bounds the difference at 95%, one-sided: ${against.join('; ')}.`;
}

/**
 * Mean |gap| to the 1-thread run after each epoch, in test accuracy, test NLL and training loss, over the pairs ours
 * also ran: where in the run each side parts from it.
 */
function epochByEpochGaps(pairs: readonly PairWithOurs[]): string {
  const epochs = Math.min(...pairs.flatMap((p) => [p.oneThread.curve.length, p.twoThreads.curve.length, p.ours.curve.length]));
  type Curve = 'curve' | 'lossCurve' | 'nllCurve';
  const nudged = pairs.every((p) => p.nudged && p.nudged.curve.length >= epochs);
  const perEpoch = (side: 'twoThreads' | 'nudged' | 'ours', curve: Curve, scale: number, digits: number) =>
    Array.from({ length: epochs }, (_, e) => (mean(pairs.map((p) => Math.abs(p[side]![curve][e]! - p.oneThread[curve][e]!))) * scale).toFixed(digits)).join(', ');
  const both = (curve: Curve, scale: number, digits: number) =>
    `PyTorch on 2 threads ${perEpoch('twoThreads', curve, scale, digits)}; ${nudged ? `nudged ${perEpoch('nudged', curve, scale, digits)}; ` : ''}ours ${perEpoch('ours', curve, scale, digits)}`;
  return `Mean |gap| to the 1-thread run after each epoch, 1 to ${epochs}, over the ${pairs.length} pairs ours ran. In test accuracy (points): ${both('curve', 100, 2)}. In test NLL: ${both('nllCurve', 1, 3)}. In the epoch's training loss: ${both('lossCurve', 1, 3)}.`;
}

type Learner = 'scratch' | ReproductionMethod;
const LEARNERS: readonly Learner[] = ['scratch', ...REPRODUCTION_METHODS];
const LEARNER_LABEL: Readonly<Record<Learner, string>> = { scratch: 'Scratch', kd: 'KD', oracle: 'Oracle' };

/** The learner's outcome for a seed on a side; the scratch baseline is the KD run's twin (else the oracle's). */
function find(runs: readonly ReproducedRun[], side: Side, learner: Learner, seed: number): Outcome | undefined {
  if (learner === 'scratch') {
    const twin = runs.find((r) => r.side === side && r.seed === seed && r.method === 'kd') ?? runs.find((r) => r.side === side && r.seed === seed);
    return twin?.scratch;
  }
  return runs.find((r) => r.side === side && r.seed === seed && r.method === learner)?.student;
}

const percent = (fraction: number | undefined) => (fraction === undefined ? '—' : `${(fraction * 100).toFixed(2)}%`);
const ece = (value: number | undefined) => (value === undefined ? '—' : value.toFixed(3));
const meanSd = (values: readonly number[], scale: number, digits: number) => (values.length === 0 ? '—' : `${(mean(values) * scale).toFixed(digits)} ± ${(sampleStd(values) * scale).toFixed(digits)}`);

function gapCell(ours: Outcome | undefined, theirs: Outcome | undefined): string {
  if (!ours || !theirs) return '—';
  const gap = Math.abs(ours.accuracy - theirs.accuracy) * 100;
  return `${gap.toFixed(2)} ${meetsTarget(gap) ? '(within 1)' : '(**over 1**)'}`;
}

function learnerRows(runs: readonly ReproducedRun[], seeds: readonly number[], learner: Learner): string[] {
  const rows = seeds.map((seed) => {
    const ours = find(runs, 'page', learner, seed);
    const theirs = find(runs, 'pytorch', learner, seed);
    return `| ${LEARNER_LABEL[learner]} | ${seed} | ${percent(ours?.accuracy)} | ${percent(theirs?.accuracy)} | ${gapCell(ours, theirs)} | ${ece(ours?.ece)} | ${ece(theirs?.ece)} |`;
  });
  const values = (side: Side, pick: (o: Outcome) => number) => seeds.flatMap((seed) => { const o = find(runs, side, learner, seed); return o ? [pick(o)] : []; });
  const gaps = seeds.flatMap((seed) => { const a = find(runs, 'page', learner, seed); const b = find(runs, 'pytorch', learner, seed); return a && b ? [Math.abs(a.accuracy - b.accuracy)] : []; });
  const accuracy = (side: Side) => { const v = values(side, (o) => o.accuracy); return v.length === 0 ? '—' : `${meanSd(v, 100, 2)}%`; };
  rows.push(`| ${LEARNER_LABEL[learner]} | mean ± sd | ${accuracy('page')} | ${accuracy('pytorch')} | ${gaps.length === 0 ? '—' : `mean ${(mean(gaps) * 100).toFixed(2)}`} | ${meanSd(values('page', (o) => o.ece), 1, 3)} | ${meanSd(values('pytorch', (o) => o.ece), 1, 3)} |`);
  return rows;
}

/** How many seed-learner pairs meet the gap target, and the widest gap. */
function targetLine(runs: readonly ReproducedRun[], seeds: readonly number[]): string {
  const gaps = LEARNERS.flatMap((learner) =>
    seeds.flatMap((seed) => {
      const ours = find(runs, 'page', learner, seed);
      const theirs = find(runs, 'pytorch', learner, seed);
      return ours && theirs ? [{ learner, seed, points: Math.abs(ours.accuracy - theirs.accuracy) * 100 }] : [];
    }),
  );
  if (gaps.length === 0) return 'No seed has run on both sides yet.';
  const within = gaps.filter((g) => meetsTarget(g.points)).length;
  const widest = gaps.reduce((a, b) => (b.points > a.points ? b : a));
  return `Within the ${GAP_TARGET_POINTS}-point target: ${within} of ${gaps.length} seed-and-learner pairs run on both sides; the widest gap is ${widest.points.toFixed(2)} points (${LEARNER_LABEL[widest.learner]}, seed ${widest.seed}).`;
}

const ORDERINGS: readonly (readonly [Learner, Learner])[] = [['kd', 'scratch'], ['oracle', 'kd'], ['oracle', 'scratch']];

/** The mean of per-seed differences with its 95% t-interval, and what it says ("<a> ahead", "<b> ahead" or neither). */
function differenceCells(perSeed: readonly (number | undefined)[], ahead: string, behind: string): string {
  const measured = perSeed.filter((d): d is number => d !== undefined);
  const interval = tInterval(measured);
  const summary = measured.length === 0 ? '—' : interval ? `${signedPoints(interval.estimate, 2)} [${signedPoints(interval.lo, 2)}, ${signedPoints(interval.hi, 2)}]` : `${signedPoints(measured[0]!, 2)} (one seed: no interval)`;
  const verdict = !interval ? '—' : interval.lo > 0 ? `${ahead} ahead` : interval.hi < 0 ? `${behind} ahead` : 'no clear difference over these seeds';
  return `${perSeed.map((d) => (d === undefined ? '—' : signedPoints(d, 2))).join(', ')} | ${summary} | ${verdict}`;
}

function orderingRow(runs: readonly ReproducedRun[], seeds: readonly number[], side: Side, [a, b]: readonly [Learner, Learner]): string {
  const perSeed = seeds.map((seed) => { const x = find(runs, side, a, seed); const y = find(runs, side, b, seed); return x && y ? x.accuracy - y.accuracy : undefined; });
  return `| ${LEARNER_LABEL[a]} − ${LEARNER_LABEL[b]} | ${SIDE_LABEL[side]} | ${differenceCells(perSeed, LEARNER_LABEL[a], LEARNER_LABEL[b])} |`;
}

/** Ours − PyTorch per seed, signed: a systematic gap, unlike float noise, would push the interval off 0. */
function signedGapRow(runs: readonly ReproducedRun[], seeds: readonly number[], learner: Learner): string {
  const perSeed = seeds.map((seed) => { const ours = find(runs, 'page', learner, seed); const theirs = find(runs, 'pytorch', learner, seed); return ours && theirs ? ours.accuracy - theirs.accuracy : undefined; });
  return `| ${LEARNER_LABEL[learner]} | ${differenceCells(perSeed, 'ours', 'PyTorch')} |`;
}

function runsRow(runs: readonly ReproducedRun[], method: ReproductionMethod, seed: number): string {
  const time = (side: Side) => { const r = runs.find((x) => x.side === side && x.method === method && x.seed === seed); return r ? `${(r.seconds / 60).toFixed(1)} min` : 'not run yet'; };
  return `| ${method}-seed-${seed} | ${time('page')} | ${time('pytorch')} |`;
}

/** Whether each oracle run's scratch twin equals its seed's KD run's (same seed, same batches: it should). */
function twinsNote(runs: readonly ReproducedRun[]): string {
  const pairs = runs.filter((r) => r.method === 'oracle').flatMap((oracle) => {
    const kd = runs.find((r) => r.side === oracle.side && r.seed === oracle.seed && r.method === 'kd');
    return kd ? [{ oracle, kd }] : [];
  });
  if (pairs.length === 0) return '';
  const differing = pairs.filter(({ oracle, kd }) => oracle.scratch.accuracy !== kd.scratch.accuracy);
  if (differing.length === 0) return ` Every oracle run's scratch twin ended where its seed's KD run's did (${pairs.length} of ${pairs.length}: same seed, same batches).`;
  return ` The oracle runs' scratch twins differ from the KD runs' on ${differing.map(({ oracle, kd }) => `${SIDE_LABEL[oracle.side]} seed ${oracle.seed} (${percent(oracle.scratch.accuracy)} against ${percent(kd.scratch.accuracy)})`).join(', ')}.`;
}

/** The whole block between the markers (markers included). */
export function reproductionTable(all: readonly ReproducedRun[], smallScale: readonly ReproducedRun[] = [], comparisons: readonly LearnerComparison[] = []): string {
  const runs = all.filter((r) => SIDES.includes(r.side));
  const control = all.filter((r) => !SIDES.includes(r.side));
  const seeds = [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b);
  const shapes = [...new Set(runs.map((r) => `${r.epochs} epochs on ${r.trainImages} training images, scored on ${r.testImages} test images`))];
  const teachers = [...new Set(runs.map((r) => percent(r.teacher.accuracy)))];
  const comparisonNote = modelComparisonNote(comparisons, GAP_TARGET_POINTS);
  const lines = [TABLE_START, ''];
  if (runs.length === 0) return [...lines, 'No run bundles yet: `npm run reproduce` and `npm run reproduce:pytorch` make them.', '', TABLE_END].join('\n');
  lines.push(
    `${runs.length} run bundles (${shapes.join('; ')}); the ready ResNet-20 teacher scored ${teachers.join(' and ')} in them. Last-epoch test accuracy and ECE (15 bins); the gap is |ours − PyTorch| in points, against the target of ${GAP_TARGET_POINTS}. The scratch row is each KD run's scratch twin.${twinsNote(runs)}`,
    '',
    '| Learner | Seed | Accuracy, ours | Accuracy, PyTorch | Gap (points) | ECE, ours | ECE, PyTorch |',
    '| --- | --- | ---: | ---: | --- | ---: | ---: |',
    ...LEARNERS.flatMap((learner) => learnerRows(runs, seeds, learner)),
    '',
    targetLine(runs, seeds),
    '',
    'Ours − PyTorch, signed, in points: per seed, then the mean with its 95% t-interval over seeds.',
    '',
    '| Learner | Per seed | Mean [95% interval] | Reading |',
    '| --- | --- | --- | --- |',
    ...LEARNERS.map((learner) => signedGapRow(runs, seeds, learner)),
    '',
    'Orderings, in points: the difference per seed, then its mean with the 95% t-interval over seeds (the Runs panel\u2019s).',
    '',
    '| Comparison | Side | Per seed | Mean [95% interval] | Reading |',
    '| --- | --- | --- | --- | --- |',
    ...ORDERINGS.flatMap((pair) => SIDES.map((side) => orderingRow(runs, seeds, side, pair))),
    '',
    '| Run | Wall time, ours | Wall time, PyTorch |',
    '| --- | ---: | ---: |',
    ...seeds.flatMap((seed) => REPRODUCTION_METHODS.map((method) => runsRow(runs, method, seed))),
    '',
    ...(control.length > 0 ? [...controlNote(all), ''] : []),
    ...(comparisonNote.length > 0 ? [...comparisonNote, ''] : []),
    ...[smallScaleNote(smallScale)].filter((note) => note !== '').flatMap((note) => [note, '']),
    TABLE_END,
  );
  return lines.join('\n');
}

/** The README with its block replaced; throws when the markers are missing. */
export function withReproductionTable(readme: string, table: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`The README has no reproduction table markers (${TABLE_START} … ${TABLE_END}).`);
  return readme.slice(0, start) + table + readme.slice(end + TABLE_END.length);
}
