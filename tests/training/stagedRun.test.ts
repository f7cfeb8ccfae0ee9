/**
 * Runs of methods that change the loop: REFILLED's two stages (the student alone first, scored by NCM
 * accuracy, then with the baseline) and the stage helpers they rely on.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { RunConfig } from '../../src/config/runConfig';
import { buildNetwork } from '../../src/models/zoo';
import { runExperiment, type RunData, type RunEvents } from '../../src/training/run';
import { RunControl } from '../../src/training/runControl';
import { restoreWeights, snapshotWeights } from '../../src/training/stages';
import { measureStepCosts } from '../../src/training/stepCosts';
import type { EpochMetrics, FromWorker } from '../../src/contract/protocol';
import { tinyRunConfig, tinyRunData } from '../helpers/synthetic';
import { learningRate } from '../../src/core/schedule';

const data: RunData = tinyRunData();

const base: RunConfig = tinyRunConfig({ seed: 3 });

function recorder() {
  const epochs: EpochMetrics[] = [];
  const stages: (string | undefined)[] = [];
  const samples: Extract<FromWorker, { type: 'samples' }>['samples'][] = [];
  const events: RunEvents = {
    started: () => {},
    progress: (p) => void (p.phase === 'students' && stages.push(p.stage)),
    epoch: (m) => epochs.push(m),
    learnerDone: () => {},
    samples: (s) => samples.push(s),
  };
  return { events, epochs, stages, samples };
}

describe('REFILLED', () => {
  it('trains the embedding stage alone, scored by NCM accuracy, then the classifier stage beside the baseline', async () => {
    const config: RunConfig = { ...base, method: 'refilled', methodParams: { stage1Epochs: 2 } };
    const before = tf.memory().numTensors;
    const log = recorder();
    const outcome = await runExperiment(config, data, new RunControl(), log.events, { measureCosts: (plan, train, test) => measureStepCosts(plan, config, train, test, 4) });

    expect(outcome.results.map((r) => r.learner.key)).toEqual(['teacher0', 'scratch', 'student']);
    const student = log.epochs.filter((m) => m.learner === 'student');
    expect(student.map((m) => [m.epoch, m.stage])).toEqual([
      [1, 'Stage 1: embedding'],
      [2, 'Stage 1: embedding'],
      [3, 'Stage 2: classifier'],
      [4, 'Stage 2: classifier'],
    ]);
    for (const m of student.slice(0, 2)) {
      expect(Object.keys(m.terms)).toEqual(['triplet']);
      expect(m.diagnostics.ncmAccuracy).toBeGreaterThanOrEqual(0);
      expect(m.diagnostics.ncmAccuracy).toBeLessThanOrEqual(1);
      expect(m.diagnostics.triplets).toBeGreaterThanOrEqual(0);
    }
    // The synthetic classes are colours: the distilled embedding separates them by class means.
    expect(Math.max(...student.slice(0, 2).map((m) => m.diagnostics.ncmAccuracy!))).toBeGreaterThan(0.5);
    for (const m of student.slice(2)) expect(Object.keys(m.terms).sort()).toEqual(['ce', 'kd']);
    // The baseline trains only alongside stage 2, numbered from 1.
    expect(log.epochs.filter((m) => m.learner === 'scratch').map((m) => m.epoch)).toEqual([1, 2]);
    const result = outcome.results.find((r) => r.learner.key === 'student')!;
    expect(result.epochs).toBe(2);
    expect(result.bestEpoch).toBeGreaterThan(2);
    expect(log.stages).toContain('Stage 1: embedding');
    expect(log.stages).toContain('Stage 2: classifier');
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('REFILLED learning rates', () => {
  it('stage 1 anneals from lr to lr/10 when asked (the reference), stage 2 and the baseline run the step schedule over their epochs', async () => {
    const config: RunConfig = { ...base, method: 'refilled', lr: 0.1, schedule: 'step', milestones: '1', decay: 0.5, methodParams: { stage1Epochs: 2, stage1Cosine: 1 } };
    const log = recorder();
    await runExperiment(config, data, new RunControl(), log.events, { measureCosts: (plan, train, test) => measureStepCosts(plan, config, train, test, 4) });
    const stepsPerEpoch = 1; // tinyRunConfig: 32 images less a hold-out of 3, in batches of 16
    const lrs = (learner: string) => log.epochs.filter((m) => m.learner === learner).map((m) => m.lr);
    // The last step's rate of each epoch: stage 1's second epoch ends at the cosine's floor, a tenth.
    const stage1 = { schedule: 'cosine' as const, baseLr: 0.1, epochs: 2, stepsPerEpoch, cosineFloor: 0.1 };
    expect(lrs('student').slice(0, 2)).toEqual([learningRate(stage1, 0, 0), learningRate(stage1, 1, 0)]);
    expect(lrs('student')[1]).toBeCloseTo(0.055, 12);
    expect(lrs('student').slice(2)).toEqual([0.1, 0.05]);
    expect(lrs('scratch')).toEqual([0.1, 0.05]);
    expect(lrs('teacher0')).toEqual([0.1, 0.05]);
  });
});

describe('data-free methods', () => {
  for (const method of ['ta-dfkd', 'dfkd-basic'] as const) {
    it(`${method}: the student learns from generated batches, the generator updates, samples reach the page`, async () => {
      const config: RunConfig = { ...base, epochs: 2, teacherEpochs: 1, method, methodParams: { ngf: 8, nz: 16, studentSteps: 1 } };
      const before = tf.memory().numTensors;
      const log = recorder();
      const outcome = await runExperiment(config, data, new RunControl(), log.events, { measureCosts: (plan, train, test) => measureStepCosts(plan, config, train, test, 4) });

      expect(outcome.results.map((r) => r.learner.key)).toEqual(['teacher0', 'scratch', 'student']);
      const student = log.epochs.filter((m) => m.learner === 'student');
      expect(student).toHaveLength(2);
      for (const m of student) {
        expect(Object.keys(m.terms)).toEqual(['l1']);
        expect(Number.isFinite(m.diagnostics['generator loss'])).toBe(true);
        expect(m.diagnostics['BN-statistics loss']).toBeGreaterThanOrEqual(0);
        if (method === 'ta-dfkd') {
          expect(m.diagnostics.selected).toBeGreaterThan(0);
          expect(m.diagnostics.selected).toBeLessThanOrEqual(1);
        } else expect(m.diagnostics.selected).toBeUndefined();
      }
      expect(log.samples.map((s) => s.epoch)).toEqual([1, 2]);
      for (const s of log.samples) {
        expect(s.rgba).toHaveLength(s.count * 32 * 32 * 4);
        expect(s.count).toBe(16);
        expect(Math.max(...s.labels)).toBeLessThan(4);
      }
      // Different epochs, different generator weights and noise: the pictures change.
      expect(Array.from(log.samples[0]!.rgba)).not.toEqual(Array.from(log.samples[1]!.rgba));
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('a data-free run on 64x64 images (an image folder imported at 64)', () => {
  it('the generator makes 64x64 pictures, the student learns from them, and the models see 64x64 test images', async () => {
    const config: RunConfig = { ...base, epochs: 1, teacherEpochs: 1, method: 'ta-dfkd', methodParams: { ngf: 8, nz: 16, studentSteps: 1 } };
    const before = tf.memory().numTensors;
    const log = recorder();
    const outcome = await runExperiment(config, tinyRunData(64), new RunControl(), log.events, { measureCosts: (plan, train, test) => measureStepCosts(plan, config, train, test, 4) });
    expect(outcome.results.map((r) => r.learner.key)).toEqual(['teacher0', 'scratch', 'student']);
    for (const result of outcome.results) expect(Number.isFinite(result.lastAccuracy) && Number.isFinite(result.ece)).toBe(true);
    expect(log.samples).toHaveLength(1);
    expect(log.samples[0]!.size).toBe(64);
    expect(log.samples[0]!.rgba).toHaveLength(log.samples[0]!.count * 64 * 64 * 4);
    expect(log.epochs.filter((m) => m.learner === 'student').every((m) => Number.isFinite(m.terms.l1))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('stage helpers', () => {
  it('a weight snapshot restores every variable, running statistics included', () => {
    const net = buildNetwork('tiny-cnn', { numClasses: 4, name: 'snapshot-net', seed: 1 });
    const snapshot = snapshotWeights(net);
    const original = [...net.params.named.values()].map((v) => Array.from(v.dataSync()));
    tf.tidy(() => net.params.named.forEach((v) => v.assign(tf.add(v, 1))));
    restoreWeights(net, snapshot);
    expect([...net.params.named.values()].map((v) => Array.from(v.dataSync()))).toEqual(original);
    snapshot.dispose();
    net.dispose();
  });
});
