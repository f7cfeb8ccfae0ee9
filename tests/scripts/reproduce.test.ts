/**
 * The reproduction command's logic (scripts/reproduction) on a tiny config, on the wasm backend (as the command
 * runs; tfjs's CPU backend takes ten times as long here): a tiny saved teacher read as a
 * ready teacher, a tiny CNN student, 64 training images, 2 epochs. A run interrupted after epoch 1 and run
 * again resumes from its checkpoint file and ends with the epochs of the run that never stopped; finished
 * runs are skipped; bad flags and a missing dataset are refused with what to do.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunBundle } from '../../src/storage/page/runBundle';
import { DEFAULT_OPTIONS, parseReproductionArgs, type ReproductionOptions } from '../../scripts/reproduction/options';
import { NodeRunControl, reproduce } from '../../scripts/reproduction/reproduce';
import { stopKernelThreads } from '../../src/training/wasm/kernelModule';
import { FIXTURE_DATASET, FIXTURE_TEACHER, writeDatasetsFolder, writeTeachersFolder } from '../helpers/reproductionFixtures';

let root = '';
let options: ReproductionOptions;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'reproduce-test-'));
  options = {
    ...DEFAULT_OPTIONS, seeds: [1], methods: ['kd', 'oracle'], epochs: 2, subset: 64, testSubset: 32, backend: 'wasm', teacher: FIXTURE_TEACHER, student: 'tiny-cnn', dataset: FIXTURE_DATASET,
    datasetsDir: writeDatasetsFolder(path.join(root, 'datasets'), 64, 32), teachersDir: await writeTeachersFolder(path.join(root, 'teachers')),
  };
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function bundleRun(out: string, name = 'kd-seed-1') {
  return parseRunBundle(readFileSync(path.join(out, `${name}.distillery-run.json`), 'utf8'), { newId: () => 'test', now: 0 }).run;
}
const withoutSeconds = (run: ReturnType<typeof bundleRun>) => run.epochs.map(({ seconds: _seconds, ...metrics }) => metrics);

describe('npm run reproduce', () => {
  it('resumes a run interrupted after epoch 1 from its checkpoint file, with the epochs of a run that never stopped', async () => {
    const straight = { ...options, out: path.join(root, 'straight') };
    expect((await reproduce(straight, { log: () => {} })).runs).toMatchObject([{ name: 'kd-seed-1', status: 'finished' }, { name: 'oracle-seed-1', status: 'finished' }]);

    const interrupted = { ...options, out: path.join(root, 'interrupted') };
    let control = new NodeRunControl();
    const firstLog: string[] = [];
    const first = await reproduce(interrupted, {
      log: (line) => (firstLog.push(line), /student\s+epoch\s+1\//.test(line) && control.stop()),
      control: () => (control = new NodeRunControl()),
    });
    expect(first).toEqual({ runs: [{ name: 'kd-seed-1', status: 'interrupted' }], complete: false });
    expect(existsSync(path.join(interrupted.out, 'kd-seed-1.checkpoint'))).toBe(true);
    expect(existsSync(path.join(interrupted.out, 'kd-seed-1.distillery-run.json'))).toBe(false);
    expect(firstLog.some((l) => l.startsWith('oracle'))).toBe(false);

    // A checkpoint cut short (a full disk) is refused, not half-read.
    const damaged = { ...options, out: path.join(root, 'damaged') };
    mkdirSync(damaged.out);
    const checkpoint = readFileSync(path.join(interrupted.out, 'kd-seed-1.checkpoint'));
    writeFileSync(path.join(damaged.out, 'kd-seed-1.checkpoint'), checkpoint.subarray(0, checkpoint.length - 100));
    await expect(reproduce(damaged, { log: () => {} })).rejects.toThrow(/kd-seed-1.checkpoint is damaged \(\d+ weight bytes where its tensors need \d+\): delete it/);

    const lines: string[] = [];
    const second = await reproduce(interrupted, { log: (line) => lines.push(line) });
    expect(second.complete).toBe(true);
    expect(lines).toContain('kd-seed-1: resuming after students epoch 1 of 2');
    expect(lines.filter((l) => /^kd-seed-1 .*epoch\s+2\/2/.test(l))).toHaveLength(2);
    expect(existsSync(path.join(interrupted.out, 'kd-seed-1.checkpoint'))).toBe(false);

    const [a, b] = [bundleRun(straight.out), bundleRun(interrupted.out)];
    expect(a.epochs.map((m) => `${m.learner}@${m.epoch}`)).toEqual(['scratch@1', 'student@1', 'scratch@2', 'student@2']);
    expect(withoutSeconds(b)).toEqual(withoutSeconds(a));
    expect(b.results).toEqual(a.results);
    expect(b.results.map((r) => [r.key, r.reused])).toEqual([['teacher0', true], ['scratch', false], ['student', false]]);
    expect(b.config).toMatchObject({ method: 'kd', savedTeacher: expect.stringMatching(/^m-[0-9a-f]{16}$/), epochs: 2, lr: 0.05, weightDecay: 5e-4, methodParams: { T: 4, ceWeight: 0.1, alpha: 0.9 } });
    expect(b.backend).toBe('wasm');
    // The next run, started after the resumed one, is the same too.
    const [oracleA, oracleB] = [bundleRun(straight.out, 'oracle-seed-1'), bundleRun(interrupted.out, 'oracle-seed-1')];
    expect(withoutSeconds(oracleB)).toEqual(withoutSeconds(oracleA));
    expect(oracleB.config.methodParams).toMatchObject({ gamma: 0.2, T: 1.5, ceWeight: 1, alpha: 1 });
    expect(b.seconds).toBeGreaterThan(0);
  }, 60_000);

  it('skips a run whose bundle exists, and refuses one made with other settings', async () => {
    const out = path.join(root, 'straight');
    const bundle = path.join(out, 'kd-seed-1.distillery-run.json');
    const before = statSync(bundle).mtimeMs;
    const lines: string[] = [];
    const report = await reproduce({ ...options, out }, { log: (line) => lines.push(line) });
    expect(report.runs).toMatchObject([{ name: 'kd-seed-1', status: 'skipped' }, { name: 'oracle-seed-1', status: 'skipped' }]);
    expect(lines.some((l) => l.includes('skipped'))).toBe(true);
    expect(statSync(bundle).mtimeMs).toBe(before);
    await expect(reproduce({ ...options, out, epochs: 3 }, { log: () => {} })).rejects.toThrow(/made with other settings \(epochs 2 there, 3 asked for\)/);
  }, 30_000);

  it('gives the same epochs and results with the training kernels on 2 threads, and says so in the bundle', async () => {
    const threaded = { ...options, methods: ['kd' as const], out: path.join(root, 'threaded'), threads: 2 };
    try {
      expect((await reproduce(threaded, { log: () => {} })).complete).toBe(true);
    } finally {
      stopKernelThreads();
    }
    const [a, b] = [bundleRun(path.join(root, 'straight')), bundleRun(threaded.out)];
    expect(withoutSeconds(b)).toEqual(withoutSeconds(a));
    expect(b.results).toEqual(a.results);
    expect(readFileSync(path.join(threaded.out, 'kd-seed-1.distillery-run.json'), 'utf8')).toContain('npm run reproduce, kernels on 2 threads');
  }, 60_000);

  it('refuses a missing dataset and a missing ready teacher, saying what to do', async () => {
    const out = path.join(root, 'missing');
    await expect(reproduce({ ...options, out, datasetsDir: path.join(root, 'nowhere') }, { log: () => {} })).rejects.toThrow(/datasets index is missing .*npm run setup/);
    await expect(reproduce({ ...options, out, dataset: 'cifar100' }, { log: () => {} })).rejects.toThrow(/Dataset "cifar100" is not installed .*available: synthetic-cifar10/);
    await expect(reproduce({ ...options, out, teacher: 'resnet999' }, { log: () => {} })).rejects.toThrow(/--teacher "resnet999" is not a ready teacher .*it has tiny/);
  });
});

describe('the reproduction flags', () => {
  it('reads every flag over the defaults', () => {
    expect(parseReproductionArgs([])).toEqual(DEFAULT_OPTIONS);
    expect(parseReproductionArgs(['--seeds', '4,5', '--epochs=3', '--subset', '256', '--test-subset', '128', '--holdout', 'off', '--methods', 'oracle', '--out', 'x', '--backend', 'cpu', '--keep-models', 'on'])).toMatchObject({
      seeds: [4, 5], epochs: 3, subset: 256, testSubset: 128, holdout: false, methods: ['oracle'], out: 'x', backend: 'cpu', keepModels: true,
    });
    expect(parseReproductionArgs(['--threads', '2']).threads).toBe(2);
  });

  it('refuses a bad flag with a clear message', () => {
    expect(() => parseReproductionArgs(['--methods', 'kd,fitnet'])).toThrow('--methods takes kd, oracle, not "fitnet".');
    expect(() => parseReproductionArgs(['--keep-models', 'yes'])).toThrow('--keep-models takes on or off, not "yes".');
    expect(() => parseReproductionArgs(['--methods', 'scratch'])).toThrow(/scratch baseline is the scratch learner of every run/);
    expect(() => parseReproductionArgs(['--methods', 'kd,kd'])).toThrow('--methods lists a method twice');
    expect(() => parseReproductionArgs(['--seeds', '1,two'])).toThrow('--seeds takes whole numbers separated by commas (1,2,3), not "1,two".');
    expect(() => parseReproductionArgs(['--seeds', ''])).toThrow('--seeds takes whole numbers');
    expect(() => parseReproductionArgs(['--seeds', '1,1'])).toThrow('--seeds lists a seed twice');
    expect(() => parseReproductionArgs(['--epochs', '0'])).toThrow('--epochs takes a whole number from 1, not "0".');
    expect(() => parseReproductionArgs(['--epochs', '1.5'])).toThrow('--epochs takes a whole number from 1');
    expect(() => parseReproductionArgs(['--backend', 'webgpu'])).toThrow('--backend takes wasm or cpu, not "webgpu".');
    expect(() => parseReproductionArgs(['--holdout', 'no'])).toThrow('--holdout takes on or off, not "no".');
    expect(() => parseReproductionArgs(['--student', 'resnet999'])).toThrow('--student takes a model of the zoo');
    expect(() => parseReproductionArgs(['--epochs'])).toThrow('--epochs needs a value.');
    expect(() => parseReproductionArgs(['--seed', '1'])).toThrow('Unknown argument "--seed".');
    expect(() => parseReproductionArgs(['--threads', '0'])).toThrow('--threads takes a whole number from 1, not "0".');
    expect(() => parseReproductionArgs(['--threads', '2', '--backend', 'cpu'])).toThrow("--threads is for the wasm backend's training kernels; --backend cpu runs on one thread.");
  });
});
