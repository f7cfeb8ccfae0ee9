import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/fields';
import type { RunConfig } from '../../src/config/runConfig';
import type { SavedResult, SavedRun } from '../../src/storage/page/runStore';
import { configKeyOf, runsBehind, seedSummary } from '../../src/storage/page/runSummary';
import { sampleStd } from '../../src/core/intervals';

function result(key: string, role: SavedResult['role'], best: number, last = best - 0.02, ece = 0.05): SavedResult {
  return { key, role, label: key, bestAccuracy: best, bestEpoch: 2, lastAccuracy: last, ece, nll: 1, epochs: 2, reused: false };
}

function run(id: string, config: Partial<RunConfig>, results: SavedResult[], stopped = false, where: Pick<SavedRun, 'backend' | 'adapter'> = { backend: 'cpu', adapter: null }): SavedRun {
  return { id, name: id, config: { ...DEFAULT_CONFIG, ...config }, finishedAt: 0, seconds: 1, ...where, stopped, learners: [], epochs: [], results };
}

describe('seedSummary', () => {
  it('groups runs that differ only in seed, per learner, with mean and sample std', () => {
    const runs = [
      run('s1', { seed: 1 }, [result('teacher0', 'teacher', 0.7), result('scratch', 'scratch', 0.5), result('student', 'student', 0.6, 0.58, 0.04)]),
      run('s2', { seed: 2 }, [result('teacher0', 'teacher', 0.7), result('scratch', 'scratch', 0.52), result('student', 'student', 0.62, 0.6, 0.06)]),
      run('s3', { seed: 3 }, [result('teacher0', 'teacher', 0.7), result('scratch', 'scratch', 0.54), result('student', 'student', 0.64, 0.62, 0.08)]),
      run('other', { seed: 1, lr: 0.1 }, [result('scratch', 'scratch', 0.4), result('student', 'student', 0.45)]),
    ];
    const summary = seedSummary(runs);
    expect(summary.map((s) => [s.learnerKey, s.count])).toEqual([
      ['student', 3],
      ['scratch', 3],
      ['teacher0', 3],
      ['student', 1],
      ['scratch', 1],
    ]);
    const student = summary[0]!;
    expect(student.role).toBe('student');
    expect(student.seeds).toEqual([1, 2, 3]);
    expect(student.meanBest).toBeCloseTo(0.62, 12);
    expect(student.stdBest).toBeCloseTo(0.02, 12); // n − 1: sqrt((0.02² + 0 + 0.02²) / 2)
    expect(student.meanLast).toBeCloseTo(0.6, 12);
    expect(student.stdLast).toBeCloseTo(0.02, 12);
    expect(student.meanEce).toBeCloseTo(0.06, 12);
    expect(summary[2]!.stdBest).toBe(0);
    expect(summary[3]!.experimentKey).not.toBe(student.experimentKey);
    expect(summary[3]!.stdBest).toBe(0); // a single run has no spread
    expect(student.title).toBe('KD \u00b7 resnet8 \u2192 tiny-cnn');
  });

  it('ignores autostart and key order, but not any other setting', () => {
    const a = { ...DEFAULT_CONFIG, seed: 4 };
    const b = { autostart: true, ...Object.fromEntries(Object.entries(DEFAULT_CONFIG).reverse()), seed: 9 } as unknown as RunConfig;
    expect(configKeyOf(a)).toBe(configKeyOf(b));
    expect(configKeyOf({ ...a, methodParams: { ...a.methodParams, T: 8 } })).not.toBe(configKeyOf(a));
    expect(configKeyOf({ ...a, augment: !a.augment })).not.toBe(configKeyOf(a));
  });

  it('lists a row\u2019s seeds in ascending order, not in the order the runs came', () => {
    const runs = [7, 8, 6, 2, 10].map((seed) => run(`s${seed}`, { seed }, [result('student', 'student', 0.6)]));
    expect(seedSummary(runs)[0]!.seeds).toEqual([2, 6, 7, 8, 10]);
  });

  it('leaves stopped runs out and returns nothing for no runs', () => {
    expect(seedSummary([])).toEqual([]);
    const summary = seedSummary([run('done', { seed: 1 }, [result('student', 'student', 0.6)]), run('stopped', { seed: 2 }, [result('student', 'student', 0.1)], true)]);
    expect(summary).toHaveLength(1);
    expect(summary[0]!.count).toBe(1);
    expect(summary[0]!.meanBest).toBeCloseTo(0.6);
  });

  it('sample standard deviation uses n − 1', () => {
    expect(sampleStd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(sampleStd([3])).toBe(0);
    expect(sampleStd([])).toBeNaN();
  });
});

describe('seedSummary: where runs were made', () => {
  const pytorch = (threads: number) => ({ backend: 'pytorch-1.13.0a0-cpu', adapter: `CPU, ${threads === 1 ? '1 thread' : `${threads} threads`} per process` });
  const kd = (id: string, seed: number, student: number, scratch: number, where = { backend: 'wasm', adapter: null as string | null }) =>
    run(id, { seed }, [result('scratch', 'scratch', scratch, scratch), result('student', 'student', student, student)], false, where);

  it('keeps one seed run on two implementations apart: they are not two seeds', () => {
    const runs = [kd('ours3', 3, 0.592, 0.528), kd('pt3', 3, 0.609, 0.549, pytorch(1)), kd('pt3b', 3, 0.606, 0.547, pytorch(2)), kd('ours5', 5, 0.6, 0.53)];
    const summary = seedSummary(runs).filter((s) => s.role === 'student');
    expect(summary.map((s) => [s.where, s.seeds, s.runs])).toEqual([
      ['wasm', [3, 5], 2],
      ['pytorch-1.13.0a0-cpu (CPU, 1 thread per process)', [3], 1],
      ['pytorch-1.13.0a0-cpu (CPU, 2 threads per process)', [3], 1],
    ]);
    expect(new Set(summary.map((s) => s.experimentKey)).size).toBe(3);
    expect(summary[0]!.title).toBe(summary[1]!.title); // same settings, told apart by `where`
    expect(summary[1]!.lastInterval).toBeNull(); // one seed: no interval, however many places ran it
  });

  it('averages a seed run again in the same place into one seed, so the interval counts it once', () => {
    const runs = [kd('a', 1, 0.6, 0.5), kd('b', 2, 0.64, 0.5), kd('c', 2, 0.66, 0.54), kd('d', 3, 0.62, 0.52)];
    const [student, scratch] = seedSummary(runs);
    expect(student!.seeds).toEqual([1, 2, 3]);
    expect(student!.count).toBe(3);
    expect(student!.runs).toBe(4);
    expect(student!.repeatedSeeds).toEqual([2]);
    // Seed 2's accuracy is the mean of its two runs, 0.65: the seeds are 0.60, 0.65, 0.62.
    expect(student!.meanLast).toBeCloseTo(0.62333333, 7);
    expect(student!.stdLast).toBeCloseTo(sampleStd([0.6, 0.65, 0.62]), 12);
    expect(student!.lastInterval!.hi - student!.lastInterval!.estimate).toBeCloseTo((4.3026527 * student!.stdLast) / Math.sqrt(3), 6);
    // Gains paired run by run (0.10; 0.14, 0.12; 0.10), then averaged per seed: 0.10, 0.13, 0.10.
    expect(student!.gainInterval!.estimate).toBeCloseTo(0.11, 12);
    expect(student!.gainInterval!.sd).toBeCloseTo(sampleStd([0.1, 0.13, 0.1]), 12);
    expect(scratch!.meanLast).toBeCloseTo((0.5 + 0.52 + 0.52) / 3, 12);
    expect(runsBehind(student!)).toBe('4 runs; seed 2 run again, averaged');
  });

  it('says how many runs stand behind a row', () => {
    expect(runsBehind({ runs: 3, repeatedSeeds: [] })).toBe('3 runs');
    expect(runsBehind({ runs: 6, repeatedSeeds: [1, 4] })).toBe('6 runs; seeds 1, 4 run again, averaged');
  });
});

describe('seedSummary intervals', () => {
  it('gives a t-interval of the last accuracy over seeds, and of the student\u2019s gain paired by run', () => {
    const runs = [
      run('s1', { seed: 1 }, [result('scratch', 'scratch', 0.5, 0.5), result('student', 'student', 0.6, 0.53)]),
      run('s2', { seed: 2 }, [result('scratch', 'scratch', 0.52, 0.52), result('student', 'student', 0.62, 0.53)]),
      run('s3', { seed: 3 }, [result('scratch', 'scratch', 0.54, 0.54), result('student', 'student', 0.64, 0.58)]),
    ];
    const [student, scratch] = seedSummary(runs);
    const t2 = 4.3026527; // 97.5% quantile of t with 2 degrees of freedom
    expect(student!.lastInterval!.estimate).toBeCloseTo(0.5466667, 6);
    expect(student!.lastInterval!.hi - student!.lastInterval!.estimate).toBeCloseTo((t2 * student!.stdLast) / Math.sqrt(3), 6);
    // Gains 0.03, 0.01, 0.04: mean 0.02667, sd 0.01528.
    const gain = student!.gainInterval!;
    expect(gain.estimate).toBeCloseTo(0.0266667, 6);
    expect(gain.sd).toBeCloseTo(0.0152753, 6);
    expect(gain.lo).toBeCloseTo(0.0266667 - (t2 * 0.0152753) / Math.sqrt(3), 5);
    expect(gain.lo).toBeLessThan(0); // three seeds are not enough to call this a win
    expect(scratch!.gainInterval).toBeNull();
    expect(scratch!.lastInterval).not.toBeNull();
  });

  it('a single run has no interval', () => {
    const [student] = seedSummary([run('s1', { seed: 1 }, [result('scratch', 'scratch', 0.5), result('student', 'student', 0.6)])]);
    expect(student!.lastInterval).toBeNull();
    expect(student!.gainInterval).toBeNull();
  });
});
