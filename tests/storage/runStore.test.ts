import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/fields';
import type { RunConfig } from '../../src/config/runConfig';
import { openRunStore, runNameProblem, savedRunFrom, type RunStore, type SavedRun, type TrainerSnapshot } from '../../src/storage/page/runStore';
import type { EpochMetrics, LearnerInfo, ModelResult } from '../../src/contract/protocol';

const learners: LearnerInfo[] = [
  { key: 'teacher0', role: 'teacher', label: 'Teacher (ResNet-8)', model: 'resnet8', method: 'scratch', parameters: 78_000 },
  { key: 'scratch', role: 'scratch', label: 'Scratch student', model: 'tiny-cnn', method: 'scratch', parameters: 20_000 },
  { key: 'student', role: 'student', label: 'Hinton KD student', model: 'tiny-cnn', method: 'kd', parameters: 20_000 },
];

function metrics(learner: string, epoch: number, testAccuracy: number): EpochMetrics {
  return { learner, epoch, lr: 0.05, trainLoss: 1.5, terms: { ce: 1, kd: 0.5 }, diagnostics: {}, trainAccuracy: 0.5, testAccuracy, testNll: 1.2, ece: 0.05, seconds: epoch };
}

function result(learner: LearnerInfo, accuracy: number): ModelResult {
  return {
    learner,
    epochs: 2,
    lastAccuracy: accuracy,
    bestAccuracy: accuracy + 0.01,
    bestEpoch: 1,
    ece: 0.04,
    nll: 1.1,
    seconds: 3,
    reused: false,
    testLogits: new Float32Array(1000 * 10),
    testLabels: new Uint8Array(1000),
  };
}

function snapshot(id: string, finishedAt: number, config: RunConfig = DEFAULT_CONFIG, name?: string): TrainerSnapshot {
  return {
    config,
    learners: learners.map(({ parameters: _, ...rest }) => rest),
    epochs: learners.flatMap((l) => [metrics(l.key, 1, 0.3), metrics(l.key, 2, 0.4)]),
    results: learners.map((l) => result(l, 0.4)),
    seconds: 12,
    backend: 'webgpu',
    adapter: { vendor: 'acme', architecture: 'gen1', description: '' },
    stopped: false,
    now: finishedAt,
    id,
    name,
  };
}

function run(id: string, finishedAt: number, config: RunConfig = DEFAULT_CONFIG, name?: string): SavedRun {
  return savedRunFrom(snapshot(id, finishedAt, config, name));
}

let dbCount = 0;
let store: RunStore | null = null;
async function freshStore(): Promise<RunStore> {
  store = await openRunStore(`distillery-test-${++dbCount}`);
  return store;
}

afterEach(() => {
  store?.close();
  store = null;
  vi.unstubAllGlobals();
});

describe('savedRunFrom', () => {
  it('keeps every per-epoch metric and drops the test logits', () => {
    const saved = run('a', 1000);
    expect(saved.epochs).toHaveLength(6);
    expect(saved.epochs[1]).toMatchObject({ learner: 'teacher0', epoch: 2, testAccuracy: 0.4, terms: { ce: 1, kd: 0.5 } });
    expect(saved.results).toHaveLength(3);
    for (const r of saved.results) {
      expect(r).not.toHaveProperty('testLogits');
      expect(r).not.toHaveProperty('testLabels');
      expect(Object.keys(r).sort()).toEqual(['bestAccuracy', 'bestEpoch', 'ece', 'epochs', 'key', 'label', 'lastAccuracy', 'nll', 'reused', 'role']);
    }
    expect(saved.learners[2]).toEqual({ key: 'student', role: 'student', label: 'Hinton KD student', model: 'tiny-cnn', method: 'kd' });
    expect(saved.adapter).toBe('acme gen1');
    expect(saved.finishedAt).toBe(1000);
    // Small enough to keep hundreds of runs: no 40 KB logits per learner.
    expect(JSON.stringify(saved).length).toBeLessThan(10_000);
  });

  it('names a run after its method, models and seed, and copies the config', () => {
    const config = { ...DEFAULT_CONFIG, student: 'tiny-cnn', teacher: 'tiny-cnn', seed: 0 } as RunConfig;
    const saved = run('a', 1, config);
    expect(saved.name).toBe('KD \u00b7 tiny-cnn \u2192 tiny-cnn \u00b7 seed 0');
    expect(saved.config).toEqual(config);
    expect(saved.config).not.toBe(config);
    expect(saved.config.methodParams).not.toBe(config.methodParams);
  });

  it('falls back to the results when the plan never arrived', () => {
    const saved = savedRunFrom({ ...snapshot('b', 2), learners: [], results: [result(learners[1]!, 0.3)], adapter: null, stopped: true });
    expect(saved.learners.map((l) => l.key)).toEqual(['scratch']);
    expect(saved.adapter).toBeNull();
  });
});

describe('run store', () => {
  it('saves, lists newest first, gets, renames, removes and clears', async () => {
    const s = await freshStore();
    await s.save(run('old', 1000));
    await s.save(run('new', 3000));
    await s.save(run('mid', 2000));
    expect((await s.list()).map((r) => r.id)).toEqual(['new', 'mid', 'old']);

    const got = await s.get('mid');
    expect(got?.epochs).toHaveLength(6);
    expect(got?.results[2]?.bestAccuracy).toBeCloseTo(0.41);
    expect(await s.get('missing')).toBeUndefined();

    const renamed = await s.rename('mid', '  Baseline, 3 seeds  ');
    expect(renamed.name).toBe('Baseline, 3 seeds');
    expect((await s.get('mid'))?.name).toBe('Baseline, 3 seeds');

    await s.remove('old');
    expect((await s.list()).map((r) => r.id)).toEqual(['new', 'mid']);
    await s.clear();
    expect(await s.list()).toEqual([]);
  });

  it('reads a run saved before the hold-out existed as holdout=0, and a new one as it was', async () => {
    const s = await freshStore();
    const { holdout: _holdout, ...oldConfig } = run('old', 1000).config;
    await s.save({ ...run('old', 1000), config: oldConfig as RunConfig });
    await s.save(run('new', 2000));
    expect((await s.get('old'))?.config.holdout).toBe(false);
    expect((await s.list()).map((r) => [r.id, r.config.holdout])).toEqual([['new', DEFAULT_CONFIG.holdout], ['old', false]]);
    expect((await s.rename('old', 'renamed')).config.holdout).toBe(false);
  });

  it('reads a run saved before milestones and decay existed with the step schedule it trained with', async () => {
    const s = await freshStore();
    const { milestones: _m, decay: _d, ...oldConfig } = { ...run('old', 1000).config, schedule: 'step' as const };
    await s.save({ ...run('old', 1000), config: oldConfig as RunConfig });
    expect((await s.get('old'))?.config).toMatchObject({ schedule: 'step', milestones: '', decay: 0.1, holdout: DEFAULT_CONFIG.holdout });
    expect((await s.list())[0]?.config).toMatchObject({ milestones: '', decay: 0.1 });
  });

  it('refuses empty and over-long names with a clear error', async () => {
    const s = await freshStore();
    await s.save(run('a', 1));
    await expect(s.rename('a', '   ')).rejects.toThrow('A run name cannot be empty.');
    await expect(s.rename('a', 'x'.repeat(81))).rejects.toThrow(/at most 80 characters/);
    await expect(s.save({ ...run('b', 2), name: '' })).rejects.toThrow(/cannot be empty/);
    await expect(s.rename('nope', 'fine')).rejects.toThrow(/no saved run with id nope/);
    expect(() => run('c', 3, DEFAULT_CONFIG, 'y'.repeat(100))).toThrow(/at most 80/);
    expect((await s.get('a'))?.name).toBe(run('a', 1).name);
    expect(runNameProblem('x'.repeat(80))).toBeNull();
  });

  it('keeps runs across connections', async () => {
    const s = await freshStore();
    await s.save(run('kept', 5));
    s.close();
    store = await openRunStore(`distillery-test-${dbCount}`);
    expect((await store.list()).map((r) => r.id)).toEqual(['kept']);
  });

  it('rejects with a readable message when IndexedDB is missing or refuses', async () => {
    const name = `distillery-test-${++dbCount}-newer`;
    const newer = indexedDB.open(name, 5);
    await new Promise((resolve) => (newer.onsuccess = resolve));
    newer.result.close();
    await expect(openRunStore(name)).rejects.toThrow(/Saved runs are unavailable/);

    vi.stubGlobal('indexedDB', undefined);
    await expect(openRunStore()).rejects.toThrow(/Saved runs are unavailable: this browser does not allow IndexedDB/);
  });
});
