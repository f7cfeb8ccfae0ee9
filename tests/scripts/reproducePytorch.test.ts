/**
 * The reproduction's PyTorch side (scripts/reproduction/pytorchSide.ts) on a tiny config: the run of
 * `npm run reproduce` exported as the page's PyTorch zip, run by `python3 -m distillery_torch`, its bundle
 * kept and skipped on the next call, and its epochs those of the page's own run of the same config; both
 * sides' kept models set against each other image by image (`reproduce:compare`). Needs a
 * Python with torch (Debian's python3-torch): skipped without one, failed without one under REQUIRE_TORCH=1.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunBundle } from '../../src/storage/page/runBundle';
import { compareSides } from '../../scripts/reproduction/compareSides';
import { keptModelFile } from '../../scripts/reproduction/keptModels';
import { DEFAULT_OPTIONS, type ReproductionOptions } from '../../scripts/reproduction/options';
import { reproducePytorch } from '../../scripts/reproduction/pytorchSide';
import { reproduce } from '../../scripts/reproduction/reproduce';
import { findTorchPython } from '../../scripts/torchPython.mjs';
import { FIXTURE_DATASET, FIXTURE_TEACHER, writeDatasetsFolder, writeTeachersFolder } from '../helpers/reproductionFixtures';

const PYTHON = findTorchPython(['torch', 'numpy']);
if (!PYTHON && process.env.REQUIRE_TORCH === '1') throw new Error('no Python with torch and numpy: install python3-torch python3-numpy, or set PYTHON');

let root = '';
let options: ReproductionOptions;
let officialData = '';

/** The fixture's shards in CIFAR-10's official layout, which the package reads: its training records cut into five batches, in order. */
function officialLayout(datasets: string): string {
  const folder = path.join(root, 'official', 'cifar-10-batches-bin');
  mkdirSync(folder, { recursive: true });
  const train = readFileSync(path.join(datasets, FIXTURE_DATASET, 'data_batch_1.bin'));
  const records = train.length / 3073;
  const per = Math.ceil(records / 5);
  for (let i = 0; i < 5; i++) writeFileSync(path.join(folder, `data_batch_${i + 1}.bin`), train.subarray(i * per * 3073, Math.min(records, (i + 1) * per) * 3073));
  copyFileSync(path.join(datasets, FIXTURE_DATASET, 'test_batch.bin'), path.join(folder, 'test_batch.bin'));
  return path.dirname(folder);
}

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'reproduce-pytorch-test-'));
  const datasetsDir = writeDatasetsFolder(path.join(root, 'datasets'), 64, 32);
  options = {
    ...DEFAULT_OPTIONS, seeds: [1], methods: ['kd'], epochs: 1, subset: 64, testSubset: 32, backend: 'wasm', teacher: FIXTURE_TEACHER, student: 'tiny-cnn', dataset: FIXTURE_DATASET,
    // The teacher carries CIFAR-10's constants, not the synthetic dataset's: both sides re-normalise its inputs.
    datasetsDir, teachersDir: await writeTeachersFolder(path.join(root, 'teachers')),
    keepModels: true,
  };
  officialData = officialLayout(datasetsDir);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const bundleRun = (file: string) => parseRunBundle(readFileSync(file, 'utf8'), { newId: () => 'test', now: 0 }).run;

describe.skipIf(!PYTHON)('npm run reproduce:pytorch', () => {
  let torchRun: ReturnType<typeof bundleRun>;
  let pageRun: ReturnType<typeof bundleRun>;

  it('runs the page\u2019s run on PyTorch, keeps its bundle, skips it next time and refuses it under other settings; the scratch twin is the page\u2019s', { timeout: 120_000 }, async () => {
    const side = { python: PYTHON!, data: officialData, threads: 1, packageDir: path.resolve('python') };
    const torchOut = path.join(root, 'pytorch');
    expect(reproducePytorch({ ...options, out: torchOut }, side, () => {})).toMatchObject([{ name: 'kd-seed-1', status: 'finished' }]);
    expect(reproducePytorch({ ...options, out: torchOut }, side, () => {})).toEqual([{ name: 'kd-seed-1', status: 'skipped' }]);
    // A bundle made with other settings is refused, not taken as this run's.
    expect(() => reproducePytorch({ ...options, epochs: options.epochs + 1, out: torchOut }, side, () => {})).toThrow(/kd-seed-1\.distillery-run\.json was made with other settings \(epochs \d+ there, \d+ asked for\)/);

    const pageOut = path.join(root, 'page');
    await reproduce({ ...options, out: pageOut }, { log: () => {} });
    torchRun = bundleRun(path.join(torchOut, 'kd-seed-1.distillery-run.json'));
    pageRun = bundleRun(path.join(pageOut, 'kd-seed-1.distillery-run.json'));
    expect(torchRun.name).toMatch(/PyTorch/);
    expect(torchRun.config).toMatchObject({ method: 'kd', seed: 1, savedTeacher: pageRun.config.savedTeacher, epochs: 1 });
    expect(torchRun.epochs.map((m) => [m.learner, m.epoch])).toEqual(pageRun.epochs.map((m) => [m.learner, m.epoch]));
    // Same weights, order and augmentation: the scratch twin's numbers, and the student's CE term.
    const learner = (run: typeof pageRun, key: string) => run.epochs.find((m) => m.learner === key)!;
    expect(learner(torchRun, 'scratch').trainLoss).toBeCloseTo(learner(pageRun, 'scratch').trainLoss, 5);
    expect(learner(torchRun, 'scratch').testAccuracy).toBe(learner(pageRun, 'scratch').testAccuracy);
    expect(learner(torchRun, 'student').terms.ce).toBeCloseTo(learner(pageRun, 'student').terms.ce!, 5);
  });

  // The saved teacher was trained (here: made) with other input constants than the dataset's: the page and the
  // package both put the re-normalisation in front of it, so its logits, and the KD term, agree. Before the
  // package did, the term differed by 1.6% (0.04412 against 0.04340).
  it('the distilled student\u2019s KD term is the page\u2019s: the saved teacher\u2019s inputs are re-normalised on both sides', () => {
    const kd = (run: typeof pageRun) => run.epochs.find((m) => m.learner === 'student')!.terms.kd!;
    expect(kd(torchRun)).toBeCloseTo(kd(pageRun), 5);
  });

  it('with --nudge-init runs the same run from initial weights one float step off, and its bundle says so', { timeout: 120_000 }, () => {
    const side = { python: PYTHON!, data: officialData, threads: 1, nudgeInit: true, packageDir: path.resolve('python') };
    const out = path.join(root, 'pytorch-nudged');
    expect(reproducePytorch({ ...options, keepModels: false, out }, side, () => {})).toMatchObject([{ name: 'kd-seed-1', status: 'finished' }]);
    const nudged = bundleRun(path.join(out, 'kd-seed-1.distillery-run.json'));
    expect(nudged.name).toMatch(/\(PyTorch, 1 process, 1 thread, initial weights nudged\)$/);
    expect(nudged.config).toEqual(torchRun.config);
    // One bit off at the start: after one epoch the same run to four digits, not bit for bit.
    const losses = (run: typeof torchRun) => run.epochs.map((m) => m.trainLoss);
    losses(nudged).forEach((loss, i) => expect(loss).toBeCloseTo(losses(torchRun)[i]!, 4));
    expect(losses(nudged)).not.toEqual(losses(torchRun));
  });

  it('keeps both sides\u2019 models and sets them against each other image by image, scored as each side scored them', () => {
    const python = { python: PYTHON!, data: officialData, packageDir: path.resolve('python') };
    const torchOut = path.join(root, 'pytorch');
    const pageOut = path.join(root, 'page');
    for (const out of [torchOut, pageOut]) for (const key of ['scratch', 'student']) expect(existsSync(keptModelFile(out, 'kd-seed-1', key))).toBe(true);
    const lines: string[] = [];
    const comparisons = compareSides(options, [torchOut, pageOut], python, (line) => lines.push(line));
    expect(comparisons.map((c) => [c.run, c.learner, c.images])).toEqual([['kd-seed-1', 'scratch', 32], ['kd-seed-1', 'student', 32]]);
    const last = (run: typeof pageRun, key: string) => run.results.find((r) => r.key === key)!.lastAccuracy;
    for (const c of comparisons) {
      expect([c.reference.side, ...c.others.map((o) => o.side)]).toEqual([torchOut, pageOut]);
      // Each side's model, scored again by the package, scores what its own run said it did.
      expect(c.reference.accuracy).toBeCloseTo(last(torchRun, c.learner), 6);
      expect(c.others[0]!.accuracy).toBeCloseTo(last(pageRun, c.learner), 6);
      // One epoch of the same run on two float implementations: the same decisions, nearly the same weights.
      expect(c.others[0]!.parted).toBeLessThanOrEqual(1);
      expect(c.others[0]!.weightDistance.weights).toBeLessThan(1e-3);
    }
    expect(lines.join('\n')).toMatch(/kd-seed-1 student: .*\n {2}.*page: .*decisions part on \d+ images/);
    // A side without kept models is refused with what to do.
    expect(() => compareSides({ ...options, epochs: 1 }, [torchOut, path.join(root, 'nowhere')], python, () => {})).toThrow(/nowhere.*kd-seed-1\.distillery-run\.json is missing/);
  });

  it('refuses a failing run by name', () => {
    const side = { python: PYTHON!, data: path.join(root, 'nowhere'), threads: 1, packageDir: path.resolve('python') };
    expect(() => reproducePytorch({ ...options, out: path.join(root, 'failing') }, side, () => {})).toThrow(/kd-seed-1: distillery_torch exited with/);
  });
});
