/**
 * The README's image-by-image comparison: `reproduction/model-comparison.json` (what `npm run
 * reproduce:compare -- --json` wrote for the models kept by `--keep-models on`), each learner's final models
 * on 2 PyTorch threads, nudged (when they were compared) and ours against PyTorch on 1 thread. The models
 * themselves are not committed; their comparison is, so the README's figures are rebuilt from it like the
 * table from the bundles.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { mean } from '../../src/core/intervals';
import { signedPoints } from '../../src/viz/comparison';
import type { LearnerComparison, ModelAgainstReference } from './compareSides';

export const COMPARISON_FILE = 'model-comparison.json';

const TWO_THREADS = 'pytorch-2-threads';
const NUDGED = 'pytorch-nudged';
const OURS = 'page';
const LEARNER_LABEL: Readonly<Record<string, string>> = { scratch: 'Scratch', student: 'KD' };

/** The committed comparison, or [] when there is none; refuses a file that is not a list of comparisons. */
export function readModelComparison(root: string): LearnerComparison[] {
  const file = path.join(root, COMPARISON_FILE);
  if (!existsSync(file)) return [];
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const valid = Array.isArray(parsed) && parsed.every((c: Partial<LearnerComparison>) => typeof c.run === 'string' && typeof c.learner === 'string' && typeof c.images === 'number' && Array.isArray(c.others) && c.reference !== undefined);
  if (!valid) throw new Error(`${file} is not what npm run reproduce:compare -- --json writes.`);
  return parsed as LearnerComparison[];
}

interface Pair {
  readonly comparison: LearnerComparison;
  readonly twoThreads: ModelAgainstReference;
  readonly nudged: ModelAgainstReference | undefined;
  readonly ours: ModelAgainstReference;
}

/** Learners compared on both 2 threads and ours against PyTorch on 1 thread, in the file's order. */
function pairs(comparisons: readonly LearnerComparison[]): Pair[] {
  return comparisons.flatMap((comparison) => {
    const side = (name: string) => comparison.others.find((o) => path.basename(o.side) === name);
    const twoThreads = side(TWO_THREADS);
    const ours = side(OURS);
    return path.basename(comparison.reference.side) === 'pytorch' && twoThreads && ours ? [{ comparison, twoThreads, nudged: side(NUDGED), ours }] : [];
  });
}

/** A side the note reports: its row label, how a sentence names it and its run, and its model of a pair. */
interface ReportedSide {
  readonly label: string;
  readonly named: string;
  readonly run: string;
  readonly pick: (p: Pair) => ModelAgainstReference;
}

const TWO_THREADS_SIDE: ReportedSide = { label: '2 threads', named: 'on 2 threads', run: 'the 2-thread run', pick: (p) => p.twoThreads };
const NUDGED_SIDE: ReportedSide = { label: 'nudged', named: 'nudged', run: 'the nudged run', pick: (p) => p.nudged! };
const OURS_SIDE: ReportedSide = { label: 'ours', named: 'ours', run: 'ours', pick: (p) => p.ours };

/** The sides against PyTorch on 1 thread, ours last; the nudged one only when every pair has it. */
function reportedSides(all: readonly Pair[]): ReportedSide[] {
  return all.every((p) => p.nudged) ? [TWO_THREADS_SIDE, NUDGED_SIDE, OURS_SIDE] : [TWO_THREADS_SIDE, OURS_SIDE];
}

const seedOf = (run: string) => run.replace(/^.*-seed-/, '');
/** The standard deviation of the accuracy gap, in points, if each image right on one side only could have gone either way. */
const flipNoise = (o: ModelAgainstReference, images: number) => (100 * Math.sqrt(o.referenceOnlyRight + o.otherOnlyRight)) / images;

function rows(p: Pair, sides: readonly ReportedSide[]): string[] {
  const { comparison: c } = p;
  const row = (label: string, o: ModelAgainstReference) =>
    `| ${LEARNER_LABEL[c.learner] ?? c.learner} | ${seedOf(c.run)} | ${label} | ${o.parted} | ${o.referenceOnlyRight} | ${o.otherOnlyRight} | ${signedPoints(o.accuracyGap, 2)} | ${flipNoise(o, c.images).toFixed(2)} | ${o.meanProbabilityDistance.toFixed(3)} | ${o.weightDistance.weights.toFixed(3)} | ${o.weightDistance.batchNormRunning.toFixed(3)} |`;
  return sides.map((side) => row(side.label, side.pick(p)));
}

/**
 * The chance that a gap is within `maxImages` images when each of the `n` images right on one side only went
 * either way with even odds: the gap is 2X − n images with X ~ Binomial(n, 1/2). Summed in log space, so a
 * large `n` does not underflow.
 */
export function chanceWithin(n: number, maxImages: number): number {
  let logTerm = -n * Math.LN2; // P(X = 0)
  let chance = 0;
  for (let x = 0; x <= n; x += 1) {
    if (Math.abs(2 * x - n) <= maxImages) chance += Math.exp(logTerm);
    logTerm += Math.log((n - x) / (x + 1));
  }
  return chance;
}

/** Each side's mean by one measure (smaller is nearer), and how often ours is nearer the 1-thread run than each control. */
function nearer(all: readonly Pair[], sides: readonly ReportedSide[], measure: (o: ModelAgainstReference) => number, what: string, digits: number): string {
  const means = sides.map((side) => `${mean(all.map((p) => measure(side.pick(p)))).toFixed(digits)} ${side.named}`).join(', ');
  const against = sides.filter((side) => side !== OURS_SIDE).map((control) => {
    const ours = all.filter((p) => measure(p.ours) < measure(control.pick(p))).length;
    const theirs = all.filter((p) => measure(control.pick(p)) < measure(p.ours)).length;
    return `ours nearer than ${control.run} on ${ours} of ${all.length}, ${control.run} on ${theirs}`;
  });
  return `${what}: mean ${means}; ${against.join('; ')}`;
}

/** One figure per side, e.g. "0.68 on 2 threads, 0.69 ours". */
const perSide = (sides: readonly ReportedSide[], figure: (side: ReportedSide) => string) => sides.map((side) => `${figure(side)} ${side.named}`).join(', ');

/** Mean over the pairs of the chance that a side's gap meets the target by flip noise alone. */
function meanChance(all: readonly Pair[], side: (p: Pair) => ModelAgainstReference, targetPoints: number): string {
  return mean(all.map((p) => { const o = side(p); return chanceWithin(o.referenceOnlyRight + o.otherOnlyRight, Math.floor((targetPoints / 100) * p.comparison.images + 1e-9)); })).toFixed(2);
}

/** The root mean square of a side's gaps in images, beside what flip noise alone would give (√ of the mean n). */
function rmsLine(all: readonly Pair[], side: (p: Pair) => ModelAgainstReference): string {
  const net = all.map((p) => side(p).otherOnlyRight - side(p).referenceOnlyRight);
  const n = all.map((p) => side(p).otherOnlyRight + side(p).referenceOnlyRight);
  return `${Math.sqrt(mean(net.map((x) => x * x))).toFixed(1)} images (${Math.sqrt(mean(n)).toFixed(1)} by flip noise)`;
}

/**
 * Per true class: the squared class gaps summed over classes and pairs, and the share of that which the
 * squared gaps keep once each pair's classes are summed: about 1 when the classes move independently, near 0
 * when they trade images among themselves, above 1 when they move together.
 */
function classLine(all: readonly Pair[], sides: readonly ReportedSide[]): string {
  const spread = ({ pick }: ReportedSide) => {
    const squaredClasses = all.reduce((sum, p) => sum + pick(p).classGaps.reduce((s, g) => s + g * g, 0), 0);
    const squaredGaps = all.reduce((sum, p) => sum + pick(p).classGaps.reduce((s, g) => s + g, 0) ** 2, 0);
    return `${squaredClasses} and ${squaredGaps} (share ${(squaredGaps / squaredClasses).toFixed(2)})`;
  };
  return `Class by class (images right only here minus right only on 1 thread, per true class), the squared class gaps and the squared gaps they sum to, over the ${all.length} pairs: ${perSide(sides, spread)}; a share near 1 is what classes moving independently give, near 0 classes trading images among themselves.`;
}

/** The README's paragraph and table, or [] without a comparison. */
export function modelComparisonNote(comparisons: readonly LearnerComparison[], targetPoints: number): string[] {
  const all = pairs(comparisons);
  if (all.length === 0) return [];
  const runs = [...new Set(all.map((p) => p.comparison.run))].join(', ');
  const sides = reportedSides(all);
  const count = sides.includes(NUDGED_SIDE) ? 'four' : 'three'; // PyTorch on 1 thread and the reported sides
  const flipNoiseMean = (side: ReportedSide) => mean(all.map((p) => flipNoise(side.pick(p), p.comparison.images))).toFixed(2);
  return [
    `**Image by image.** The final models of ${runs}, kept on all ${count} sides (\`--keep-models on\`) and set against PyTorch on 1 thread by \`npm run reproduce:compare\` (figures in \`reproduction/${COMPARISON_FILE}\`): the test images on which their decisions part, how many of those only the 1-thread model or only this one gets right, the accuracy gap that leaves, the standard deviation that gap would have if each of those images could have gone either way (√(right on one side only) / images), the mean total-variation distance between the two models' probabilities, and the relative distance between their weights and between their BatchNorm running statistics.`,
    '',
    '| Learner | Seed | Against 1 thread | Parted | Right only on 1 thread | Right only here | Gap (points) | Flip noise (points) | Probability distance | Weight distance | Running-statistics distance |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...all.flatMap((p) => rows(p, sides)),
    '',
    `${nearer(all, sides, (o) => o.parted, 'Images whose decisions part', 1)}. ${nearer(all, sides, (o) => o.meanProbabilityDistance, 'Probability distance', 3)}. ${nearer(all, sides, (o) => o.weightDistance.weights, 'Weight distance', 3)}. Flip noise in points: mean ${perSide(sides, flipNoiseMean)}; by flip noise alone a pair would end within the ${targetPoints}-point target with a chance of ${perSide(sides, (side) => meanChance(all, side.pick, targetPoints))} (the mean over these pairs; a gap of 2X − n images, X ~ Binomial(n, 1/2), n the images right on one side only). Root mean square of the gaps: ${perSide(sides, (side) => rmsLine(all, side.pick))}. ${classLine(all, sides)}`,
  ];
}
