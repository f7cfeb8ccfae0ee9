/**
 * The README's reproduction table is rebuilt from the committed run bundles (reproduction/page, reproduction/
 * pytorch), so it cannot drift from them; and the builder reports gaps against the 1-point target and
 * orderings with the seeds' t-interval as measured, whatever they are.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tInterval } from '../../src/core/intervals';
import { chanceWithin, COMPARISON_FILE, modelComparisonNote, readModelComparison } from '../../scripts/reproduction/comparisonTable';
import type { LearnerComparison, ModelAgainstReference } from '../../scripts/reproduction/compareSides';
import { readReproduction, readSide, readSmallScale, reproductionTable, smallScaleNote, TABLE_END, TABLE_START, withReproductionTable, type ReproducedRun } from '../../scripts/reproduction/table';

const ROOT = path.resolve(__dirname, '../..');
const scratchDirs: string[] = [];
afterAll(() => scratchDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function run(side: ReproducedRun['side'], method: ReproducedRun['method'], seed: number, scratch: number, student: number): ReproducedRun {
  return { side, method, seed, epochs: 15, trainImages: 4576, testImages: 1017, seconds: 600, teacher: { accuracy: 0.6421, ece: 0.05, nll: 1, curve: [], lossCurve: [], nllCurve: [] }, scratch: { accuracy: scratch, ece: 0.06, nll: 2 * (1 - scratch), curve: [scratch - 0.05, scratch], lossCurve: [2 - scratch, 1.5 - scratch], nllCurve: [1, 2 * (1 - scratch)] }, student: { accuracy: student, ece: 0.07, nll: 2 * (1 - student), curve: [student - 0.1, student], lossCurve: [3 - student, 2 - student], nllCurve: [1, 2 * (1 - student)] } };
}

describe('the reproduction table', () => {
  it('is in the README exactly as the committed bundles build it (npm run reproduce:table rewrites it)', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const runs = readReproduction(path.join(ROOT, 'reproduction'));
    expect(runs.length).toBeGreaterThanOrEqual(2);
    const start = readme.indexOf(TABLE_START);
    const end = readme.indexOf(TABLE_END);
    expect(start, 'the README has the table markers').toBeGreaterThanOrEqual(0);
    const root = path.join(ROOT, 'reproduction');
    expect(readme.slice(start, end + TABLE_END.length)).toBe(reproductionTable(runs, readSmallScale(root), readModelComparison(root)));
  });

  it('reports each gap against the 1-point target and each ordering with its t-interval over seeds', () => {
    const runs = [
      run('page', 'kd', 1, 0.55, 0.57), run('pytorch', 'kd', 1, 0.553, 0.585),
      run('page', 'kd', 2, 0.56, 0.575), run('pytorch', 'kd', 2, 0.561, 0.58),
      run('page', 'kd', 3, 0.54, 0.56),
    ];
    const table = reproductionTable(runs);
    expect(table.startsWith(TABLE_START) && table.endsWith(TABLE_END)).toBe(true);
    expect(table).toContain('| KD | 1 | 57.00% | 58.50% | 1.50 (**over 1**) |');
    expect(table).toContain('| KD | 2 | 57.50% | 58.00% | 0.50 (within 1) |');
    expect(table).toContain('| KD | 3 | 56.00% | — | — |');
    expect(table).toContain('| Oracle | 1 | — | — | — |');
    const gains = [0.02, 0.015, 0.02];
    const interval = tInterval(gains)!;
    const signed = (v: number) => `${v < 0 ? '\u2212' : '+'}${Math.abs(v * 100).toFixed(2)}`;
    expect(table).toContain(`| KD − Scratch | ours (page code, wasm) | +2.00, +1.50, +2.00 | ${signed(interval.estimate)} [${signed(interval.lo)}, ${signed(interval.hi)}] | KD ahead |`);
    expect(table).toContain('| KD − Scratch | PyTorch (distillery_torch) | +3.20, +1.90, — |');
    expect(table).toContain('| kd-seed-3 | 10.0 min | not run yet |');
    expect(table).toContain('Within the 1-point target: 3 of 4 seed-and-learner pairs run on both sides; the widest gap is 1.50 points (KD, seed 1).');
    const kdGaps = tInterval([0.57 - 0.585, 0.575 - 0.58])!;
    expect(table).toContain(`| KD | \u22121.50, \u22120.50, — | ${signed(kdGaps.estimate)} [${signed(kdGaps.lo)}, ${signed(kdGaps.hi)}] | no clear difference over these seeds |`);
    expect(table).toContain('| Oracle | —, —, — | — | — |');
  });

  it('sums up the wider control: ours and PyTorch on 2 threads, each against PyTorch on 1 thread', () => {
    const side = (s: ReproducedRun['side'], seed: number, scratch: number, student: number) => ({ ...run(s, 'kd', seed, scratch, student), trainImages: 922, side: s });
    const runs = [side('pytorch', 11, 0.37, 0.38), side('page', 11, 0.375, 0.365), side('pytorch-2-threads', 11, 0.35, 0.39), side('pytorch', 12, 0.36, 0.4), side('page', 12, 0.36, 0.41)];
    const note = smallScaleNote(runs);
    // Seed 12 has no 2-thread run: ours has four pairs, the control two.
    expect(note).toContain('seeds 11, 12');
    expect(note).toContain('Ours: within 1 point on 3 of 4 pairs, mean |gap| 0.75, widest 1.50, signed mean 0.00 (+0.50, \u22121.50, 0.00, +1.00).');
    expect(note).toContain('PyTorch on 2 threads: within 1 point on 1 of 2 pairs, mean |gap| 1.50, widest 2.00, signed mean \u22120.50 (\u22122.00, +1.00).');
    expect(reproductionTable([run('page', 'kd', 1, 0.55, 0.57)], runs)).toContain(note);
    expect(smallScaleNote(runs.filter((r) => r.side !== 'pytorch-2-threads'))).toBe('');
  });

  it('gives the noise floor from the runs repeated on 2 PyTorch threads, beside ours, with each scratch twin once', () => {
    const control = { ...run('pytorch', 'kd', 1, 0.56, 0.575), side: 'pytorch-2-threads' as const };
    control.scratch = { ...control.scratch, curve: [0.48, 0.56], lossCurve: [1.437, 0.937] };
    // The oracle run of seed 1 brings its own scratch twin: the KD run's stands for the seed.
    const oracleControl = { ...run('pytorch', 'oracle', 1, 0.5, 0.6), side: 'pytorch-2-threads' as const };
    const table = reproductionTable([run('page', 'kd', 1, 0.55, 0.57), run('pytorch', 'kd', 1, 0.553, 0.585), control, run('pytorch', 'oracle', 1, 0.553, 0.61), oracleControl]);
    expect(table).toContain('| Learner | Seed | 2 threads − 1 thread | Widest | Ours − 1 thread | Widest |');
    expect(table).toContain('| Scratch | 1 | +0.70 | 2.30 | \u22120.30 | 0.30 |');
    expect(table).toContain('| KD | 1 | \u22121.00 | 1.00 | \u22121.50 | 1.50 |');
    expect(table).toContain('| Oracle | 1 | \u22121.00 | 1.00 | — | — |');
    expect(table.match(/^\| Scratch \| 1 \| \+/gm)).toHaveLength(1);
    expect(table).toContain('PyTorch on 2 threads against 1: within 1 point on 3 of 3 pairs, mean |gap| 0.90, widest 1.00, signed mean \u22120.43. Ours against 1 thread on the same pairs: within 1 point on 1 of 2 pairs, mean |gap| 0.90, widest 1.50, signed mean \u22120.90.');
    // NLL is 2 × (1 − accuracy): ours is nearer the 1-thread run than the 2-thread run on scratch, farther on KD.
    expect(table).toContain("Ours ends farther from the 1-thread run than the 2-thread run does on 1 of 2 pairs in accuracy (nearer on 1, tied on 0), and on 1 of 2 in the last epoch's test NLL (nearer on 1; mean |gap| 0.0170 on 2 threads, 0.0180 ours).");
    // Epoch by epoch over the two pairs ours ran. Accuracy: scratch 0.48/0.56 (2 threads) and 0.50/0.55 (ours) against
    // 0.503/0.553, KD 0.475/0.575 and 0.47/0.57 against 0.485/0.585. Loss: scratch 1.437/0.937 and 1.45/0.95 against
    // 1.447/0.947, KD 2.425/1.425 and 2.43/1.43 against 2.415/1.415.
    expect(table).toContain('Mean |gap| to the 1-thread run after each epoch, 1 to 2, over the 2 pairs ours ran. In test accuracy (points): PyTorch on 2 threads 1.65, 0.85; ours 0.90, 0.90. In test NLL: PyTorch on 2 threads 0.000, 0.017; ours 0.000, 0.018. In the epoch\'s training loss: PyTorch on 2 threads 0.010, 0.010; ours 0.009, 0.009.');
    // The control is not a side of the table.
    expect(table).toContain('3 run bundles');
  });

  it('adds PyTorch nudged one float step, when it ran, as a second control beside the 2-thread run', () => {
    const twoThreads = { ...run('pytorch', 'kd', 1, 0.56, 0.575), side: 'pytorch-2-threads' as const };
    const nudged = { ...run('pytorch', 'kd', 1, 0.543, 0.6), side: 'pytorch-nudged' as const };
    const table = reproductionTable([run('page', 'kd', 1, 0.55, 0.57), run('pytorch', 'kd', 1, 0.553, 0.585), twoThreads, nudged]);
    expect(table).toContain('and on 1 thread with every initial weight nudged one float step up or down (`--nudge-init`');
    expect(table).toContain('| Learner | Seed | 2 threads − 1 thread | Widest | Nudged − 1 thread | Widest | Ours − 1 thread | Widest |');
    expect(table).toContain('| Scratch | 1 | +0.70 | 0.70 | \u22121.00 | 1.00 | \u22120.30 | 0.30 |');
    expect(table).toContain('| KD | 1 | \u22121.00 | 1.00 | +1.50 | 1.50 | \u22121.50 | 1.50 |');
    expect(table).toContain('PyTorch nudged against 1 thread on the same pairs: within 1 point on 1 of 2 pairs, mean |gap| 1.25, widest 1.50, signed mean +0.25.');
    expect(table).toContain('In test accuracy (points): PyTorch on 2 threads 0.85, 0.85; nudged 1.25, 1.25; ours 0.90, 0.90.');
    // Neither control is a side of the table.
    expect(table).toContain('2 run bundles');
    // Without nudged runs the table keeps its three columns of gaps.
    expect(reproductionTable([run('page', 'kd', 1, 0.55, 0.57), run('pytorch', 'kd', 1, 0.553, 0.585), twoThreads])).toContain('| Learner | Seed | 2 threads − 1 thread | Widest | Ours − 1 thread | Widest |');
  });

  it('bounds how much wider ours\' gap is than each twin\'s, averaging a seed\'s learners first', () => {
    const twin = (side: 'pytorch-2-threads' | 'pytorch-nudged', seed: number, scratch: number, student: number) => ({ ...run('pytorch', 'kd', seed, scratch, student), side });
    // Gaps to the 1-thread run in points (scratch, KD). Seed 1: ours 0.3, 1.5; 2 threads 0.7, 1.0; nudged 1.0, 1.5.
    // Seed 2: ours 1.3, 2.0; 2 threads 0.0, 1.0; nudged 2.0, 0.0. Per seed, ours − twin averaged over the learners:
    // against 2 threads 0.05 and 1.15, against nudged −0.35 and 0.65; t(0.95, 1 df) = 6.314 sets the 90% intervals.
    const table = reproductionTable([
      run('page', 'kd', 1, 0.55, 0.57), run('pytorch', 'kd', 1, 0.553, 0.585), twin('pytorch-2-threads', 1, 0.56, 0.575), twin('pytorch-nudged', 1, 0.543, 0.6),
      run('page', 'kd', 2, 0.513, 0.5), run('pytorch', 'kd', 2, 0.5, 0.52), twin('pytorch-2-threads', 2, 0.5, 0.53), twin('pytorch-nudged', 2, 0.52, 0.52),
    ]);
    expect(table).toContain('then the mean over the 2 seeds with its 90% t-interval, whose upper end bounds the difference at 95%, one-sided: against the 2-thread run +0.60 [\u22122.87, +4.07]; against the nudged run +0.15 [\u22123.01, +3.31].');
    // Without nudged runs, only the 2-thread run; with one seed, no interval.
    const oneSeed = reproductionTable([run('page', 'kd', 1, 0.55, 0.57), run('pytorch', 'kd', 1, 0.553, 0.585), twin('pytorch-2-threads', 1, 0.56, 0.575)]);
    expect(oneSeed).toContain('one-sided: against the 2-thread run one seed only, no interval.');
  });

  it('says when there is nothing to show, and refuses a README without its markers', () => {
    expect(reproductionTable([])).toContain('No run bundles yet');
    expect(() => withReproductionTable('# README\n', reproductionTable([]))).toThrow(/no reproduction table markers/);
  });

  it('refuses a bundle whose name says another run than it holds', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'reproduction-table-'));
    scratchDirs.push(dir);
    mkdirSync(path.join(dir, 'page'));
    copyFileSync(path.join(ROOT, 'reproduction/page/kd-seed-1.distillery-run.json'), path.join(dir, 'page/kd-seed-7.distillery-run.json'));
    expect(() => readSide(path.join(dir, 'page'), 'page')).toThrow(/kd-seed-7\.distillery-run\.json holds a kd run with seed 1, not what its name says/);
  });
});

function against(side: string, parted: number, referenceOnlyRight: number, otherOnlyRight: number, distance: number, classGaps = [otherOnlyRight - referenceOnlyRight]): ModelAgainstReference {
  const weightDistance = { weights: distance, batchNormAffine: distance / 2, batchNormRunning: distance };
  return { side, accuracy: 0.5, nll: 1, parted, referenceOnlyRight, otherOnlyRight, accuracyGap: (otherOnlyRight - referenceOnlyRight) / 1000, classGaps, meanProbabilityDistance: distance / 3, referenceMarginMedian: 0.3, referenceMarginMedianWhereParted: 0.1, weightDistance };
}

describe('the image-by-image comparison under the table', () => {
  const comparison = (learner: string, twoThreads: ModelAgainstReference, ours: ModelAgainstReference): LearnerComparison => ({ run: 'kd-seed-3', learner, images: 1000, reference: { side: 'kept/pytorch', accuracy: 0.5, nll: 1 }, others: [twoThreads, ours] });

  it('sets ours and the 2-thread run against the 1-thread run, learner by learner, and counts which is nearer', () => {
    const note = modelComparisonNote([
      comparison('scratch', against('kept/pytorch-2-threads', 190, 60, 50, 0.3), against('kept/page', 180, 70, 40, 0.28)),
      comparison('student', against('kept/pytorch-2-threads', 150, 50, 50, 0.4), against('kept/page', 160, 55, 45, 0.36)),
    ], 1).join('\n');
    expect(note).toContain('The final models of kd-seed-3');
    // Gap −1.00 from 60 against 50; flip noise √110 / 1000 images = 1.05 points.
    expect(note).toContain('| Scratch | 3 | 2 threads | 190 | 60 | 50 | −1.00 | 1.05 | 0.100 | 0.300 | 0.300 |');
    expect(note).toContain('| KD | 3 | ours | 160 | 55 | 45 | −1.00 | 1.00 | 0.120 | 0.360 | 0.360 |');
    expect(note).toContain('Images whose decisions part: mean 170.0 on 2 threads, 170.0 ours; ours nearer than the 2-thread run on 1 of 2, the 2-thread run on 1');
    expect(note).toContain('Weight distance: mean 0.350 on 2 threads, 0.320 ours; ours nearer than the 2-thread run on 2 of 2, the 2-thread run on 0');
    // 1 point of 1000 images is 10: the chances for 110 and 100 images, averaged (2 threads), and 110 and 100 (ours).
    const chance = ((chanceWithin(110, 10) + chanceWithin(100, 10)) / 2).toFixed(2);
    expect(note).toContain(`within the 1-point target with a chance of ${chance} on 2 threads, ${chance} ours`);
    // Gaps of −10 and 0 images (2 threads), −30 and −10 (ours); n 110 and 100 on both sides.
    expect(note).toContain(`Root mean square of the gaps: ${Math.sqrt(50).toFixed(1)} images (${Math.sqrt(105).toFixed(1)} by flip noise) on 2 threads, ${Math.sqrt(500).toFixed(1)} images (${Math.sqrt(105).toFixed(1)} by flip noise) ours.`);
  });

  it('adds the nudged run as a second control when every learner was compared with it', () => {
    const three = (learner: string, nudged: ModelAgainstReference): LearnerComparison => ({
      ...comparison(learner, against('kept/pytorch-2-threads', 190, 60, 50, 0.3, [4, -4, -10]), against('kept/page', 180, 70, 40, 0.28, [-10, -10, -10])),
      others: [against('kept/pytorch-2-threads', 190, 60, 50, 0.3, [4, -4, -10]), nudged, against('kept/page', 180, 70, 40, 0.28, [-10, -10, -10])],
    });
    const note = modelComparisonNote([three('scratch', against('kept/pytorch-nudged', 170, 50, 60, 0.32, [5, 5])), three('student', against('kept/pytorch-nudged', 150, 45, 45, 0.34, [3, -3]))], 1).join('\n');
    expect(note).toContain('kept on all four sides');
    expect(note).toContain('| Scratch | 3 | nudged | 170 | 50 | 60 | +1.00 | 1.05 | 0.107 | 0.320 | 0.320 |');
    expect(note.indexOf('| KD | 3 | 2 threads |')).toBeLessThan(note.indexOf('| KD | 3 | nudged |'));
    expect(note.indexOf('| KD | 3 | nudged |')).toBeLessThan(note.indexOf('| KD | 3 | ours |'));
    expect(note).toContain('Images whose decisions part: mean 190.0 on 2 threads, 160.0 nudged, 180.0 ours; ours nearer than the 2-thread run on 2 of 2, the 2-thread run on 0; ours nearer than the nudged run on 0 of 2, the nudged run on 2');
    // Squared class gaps: 2 threads 16 + 16 + 100 twice = 264, gaps 100 twice; nudged 25 + 25 + 9 + 9 = 68, gaps 100 + 0; ours 300 twice, gaps 900 twice.
    expect(note).toContain('over the 2 pairs: 264 and 200 (share 0.76) on 2 threads, 68 and 100 (share 1.47) nudged, 600 and 1800 (share 3.00) ours;');
    // Without the nudged run for every learner, the note keeps to the 2-thread run and ours.
    const partial = modelComparisonNote([three('scratch', against('kept/pytorch-nudged', 170, 50, 60, 0.32)), comparison('student', against('kept/pytorch-2-threads', 150, 50, 50, 0.4), against('kept/page', 160, 55, 45, 0.36))], 1).join('\n');
    expect(partial).toContain('kept on all three sides');
    expect(partial).not.toContain('nudged');
  });

  it('tells class gaps that cancel from class gaps that add up', () => {
    const note = modelComparisonNote([
      // 2 threads: classes trade (+6, −6, +2, −2: gap 0); ours: they add up (−3, −3, −2, −2: gap −10).
      comparison('scratch', against('kept/pytorch-2-threads', 100, 40, 40, 0.3, [6, -6, 2, -2]), against('kept/page', 100, 45, 35, 0.3, [-3, -3, -2, -2])),
      comparison('student', against('kept/pytorch-2-threads', 100, 40, 40, 0.3, [1, -1]), against('kept/page', 100, 40, 40, 0.3, [1, -1])),
    ], 1).join('\n');
    // 2 threads: 36 + 36 + 4 + 4 + 1 + 1 = 82 and 0 + 0; ours: 9 + 9 + 4 + 4 + 1 + 1 = 28 and 100 + 0.
    expect(note).toContain('over the 2 pairs: 82 and 0 (share 0.00) on 2 threads, 28 and 100 (share 3.57) ours;');
  });

  it('gives the chance of a gap within the target by flip noise alone, as the binomial sums it', () => {
    // n = 4: gaps −4, −2, 0, +2, +4 images with chances 1, 4, 6, 4, 1 in 16.
    expect(chanceWithin(4, 0)).toBeCloseTo(6 / 16, 12);
    expect(chanceWithin(4, 2)).toBeCloseTo(14 / 16, 12);
    expect(chanceWithin(4, 4)).toBeCloseTo(1, 12);
    expect(chanceWithin(0, 0)).toBe(1);
    // A large n neither underflows nor leaves the normal approximation: P(|Z| <= 20 / sqrt(2000)) ≈ 0.36.
    expect(chanceWithin(2000, 20)).toBeCloseTo(0.36, 1);
  });

  it('is left out without a comparison, or without both sides against PyTorch on 1 thread', () => {
    expect(modelComparisonNote([], 1)).toEqual([]);
    expect(modelComparisonNote([comparison('scratch', against('kept/pytorch-2-threads', 1, 1, 0, 0.1), against('kept/elsewhere', 1, 1, 0, 0.1))], 1)).toEqual([]);
    expect(reproductionTable([run('page', 'kd', 1, 0.55, 0.57)], [], [])).not.toContain('Image by image');
  });

  it('reads the committed file, and refuses one that is not a comparison', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'reproduction-comparison-'));
    scratchDirs.push(dir);
    expect(readModelComparison(dir)).toEqual([]);
    writeFileSync(path.join(dir, COMPARISON_FILE), '{"runs": []}');
    expect(() => readModelComparison(dir)).toThrow(/is not what npm run reproduce:compare -- --json writes/);
  });
});
