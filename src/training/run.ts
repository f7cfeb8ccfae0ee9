/**
 * One experiment: teachers first (cross-entropy), then the scratch baseline and the distilled student in
 * lockstep on the very same batches (same order, same augmentation, same initial weights), evaluated on
 * the test subset after every epoch. DOM-free: the worker wires it to messages, tests call it directly.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../config/runConfig';
import { keyedRng, permutation } from '../core/random';
import { BatchSource, type Normalization } from '../data/batches';
import { takeBalancedSubset, type LabeledImages } from '../data/cifarBinary';
import type { Network } from '../models/network';
import type { EpochMetrics, FromWorker, LearnerProgress, ModelResult, RunPlanSummary } from '../workers/protocol';
import { TrainingDiverged } from './errors';
import { evaluate, type Evaluation } from './evaluate';
import { disposeOutputs, distils, prepareStep, teacherContext, trainStep, unpackReadout, type Learner } from './learner';
import { createLearner, disposeLearner } from './learners';
import { planRun, predictSeconds, type RunPlan, type StepCosts } from './plan';
import { ProgressClock } from './progressClock';
import { teacherKey, type TeacherCache } from './teacherCache';
import { RunStopped, type RunControl } from './runControl';
import { learningRate } from './schedule';

export interface RunData {
  readonly train: LabeledImages;
  readonly test: LabeledImages;
  readonly normalization: Normalization;
  readonly numClasses: number;
}

/** A progress report, as the worker posts it (without the message envelope). */
export type RunProgress = Omit<Extract<FromWorker, { type: 'progress' }>, 'type' | 'runId'>;

export interface RunEvents {
  started(plan: RunPlanSummary): void;
  progress(progress: RunProgress): void;
  epoch(metrics: EpochMetrics): void;
  learnerDone(result: ModelResult): void;
}

export interface RunOutcome {
  readonly results: ModelResult[];
  readonly stopped: boolean;
}

/** Measures step costs for a plan (the warm-up). */
export type CostMeasurer = (plan: RunPlan, train: BatchSource, test: BatchSource) => Promise<StepCosts>;

export interface RunServices {
  /** Measures step costs for a plan (the warm-up); injected so the worker can cache it across runs. */
  readonly measureCosts: CostMeasurer;
  /** Teachers trained earlier in the session; reused when `config.reuseTeachers` and the settings match. */
  readonly teacherCache?: TeacherCache;
}

export async function runExperiment(config: RunConfig, data: RunData, control: RunControl, events: RunEvents, { measureCosts, teacherCache }: RunServices): Promise<RunOutcome> {
  const plan = planRun(config, { trainCount: data.train.count, testCount: data.test.count });
  // The first images of each class, class-balanced: the same `subset` always means the same images.
  const train = new BatchSource(takeBalancedSubset(data.train, plan.trainImages, data.numClasses), data.normalization);
  const test = new BatchSource(takeBalancedSubset(data.test, plan.testImages, data.numClasses), data.normalization);
  const results: ModelResult[] = [];
  const teachers: Learner[] = [];
  let students: Learner[] = [];
  try {
    const learnerInfos = [...plan.teachers, ...plan.students].map(({ key, role, label, model, method }) => ({ key, role, label, model, method }));
    events.started({ learners: learnerInfos, trainImages: plan.trainImages, testImages: plan.testImages, stepsPerEpoch: plan.stepsPerEpoch, notes: plan.notes });
    events.progress({ phase: 'warmup', epoch: 0, epochs: config.epochs, step: 0, stepsPerEpoch: plan.stepsPerEpoch, fraction: 0, secondsLeft: null, imagesPerSecond: 0, losses: {} });
    const costs = await measureCosts(plan, train, test);
    const keys = plan.teachers.map((t) => teacherKey(config, plan, t));
    const reusable = keys.map((key) => (config.reuseTeachers ? teacherCache?.get(key) : undefined));
    const predicted = predictSeconds(plan, config, costs);
    const teachersToTrain = reusable.filter((r) => !r).length / Math.max(1, plan.teachers.length);
    const clock = new ProgressClock(predicted.teachers * teachersToTrain + predicted.students);
    const phase = { plan, config, train, test, control, events, costs, clock, results };

    const teacherNets: Network[] = [];
    for (const [i, planned] of plan.teachers.entries()) {
      const cached = reusable[i];
      if (cached) {
        const result: ModelResult = { ...cached.result, learner: { ...cached.result.learner, key: planned.key, label: planned.label }, reused: true };
        results.push(result);
        events.learnerDone(result);
        teacherNets.push(cached.net);
        continue;
      }
      const teacher = createLearner(planned, config, data.numClasses);
      teachers.push(teacher);
      await trainPhase(phase, 'teachers', [teacher], [], config.teacherEpochs);
      teacherNets.push(teacher.net);
      teacherCache?.put(keys[i]!, { net: teacher.net, result: results[results.length - 1]! });
    }
    students = plan.students.map((p) => createLearner(p, config, data.numClasses, teacherNets));
    await trainPhase(phase, 'students', students, teacherNets, config.epochs);
    return { results, stopped: false };
  } catch (error) {
    if (error instanceof RunStopped) return { results, stopped: true };
    throw error;
  } finally {
    // Teachers now held by the cache outlive the run; only their optimizer state goes.
    for (const teacher of teachers) {
      if (teacherCache?.owns(teacher.net)) teacher.optimizer.dispose();
      else disposeLearner(teacher);
    }
    students.forEach(disposeLearner);
    train.dispose();
    test.dispose();
  }
}

interface PhaseContext {
  readonly plan: RunPlan;
  readonly config: RunConfig;
  readonly train: BatchSource;
  readonly test: BatchSource;
  readonly control: RunControl;
  readonly events: RunEvents;
  readonly costs: StepCosts;
  readonly clock: ProgressClock;
  readonly results: ModelResult[];
}

/** Trains `learners` in lockstep for `epochs` epochs, evaluating each after every epoch. */
async function trainPhase(ctx: PhaseContext, phase: 'teachers' | 'students', learners: readonly Learner[], teacherNets: readonly Network[], epochs: number): Promise<void> {
  const { plan, config, train, test, control, events, costs, clock } = ctx;
  const start = performance.now();
  const history = new Map(learners.map((l) => [l.info.key, [] as EpochMetrics[]]));
  const lastEvaluation = new Map<string, Evaluation>();
  const stepCost = learners.reduce((sum, l) => sum + (costs.trainStep[l.info.key] ?? 0), 0);
  // At most one learner per phase distils; its method decides what the teachers see.
  const distiller = learners.find(distils);
  const imagesSeen = (epoch: number, step: number) => (epoch * plan.stepsPerEpoch + step + 1) * plan.batch;

  for (let epoch = 0; epoch < epochs; epoch++) {
    // Same keys in every phase: the baseline and the student see identical batches.
    const order = permutation(plan.trainImages, keyedRng(config.seed, 'shuffle', epoch));
    const sums = learners.map(() => ({ loss: 0, correct: 0, terms: {} as Record<string, number>, diagnostics: {} as Record<string, number> }));
    let lr = config.lr;
    for (let step = 0; step < plan.stepsPerEpoch; step++) {
      await control.gate();
      lr = learningRate({ schedule: config.schedule, baseLr: config.lr, epochs, stepsPerEpoch: plan.stepsPerEpoch }, epoch, step);
      const batch = train.trainBatch(order.subarray(step * plan.batch, (step + 1) * plan.batch), config.augment ? keyedRng(config.seed, 'augment', epoch, step) : null);
      const teachers = teacherContext(distiller, teacherNets, batch);
      const prepared = await Promise.all(learners.map((l) => prepareStep(l, batch, teachers, epoch)));
      const steps = learners.map((l, i) => trainStep(l, batch, teachers, epoch, lr, prepared[i]));
      disposeOutputs(teachers.outputs);
      tf.dispose([batch.x, batch.labels]);
      const values = await Promise.all(steps.map((s) => s.packed.data()));
      steps.forEach((s) => s.packed.dispose());

      const losses: Record<string, LearnerProgress> = {};
      learners.forEach((learner, i) => {
        const readout = unpackReadout(values[i]!, steps[i]!);
        if (!Number.isFinite(readout.loss)) throw new TrainingDiverged(learner.info.label, `the loss at epoch ${epoch + 1}, step ${step + 1}`);
        const sum = sums[i]!;
        sum.loss += readout.loss;
        sum.correct += readout.correct;
        for (const [name, value] of Object.entries(readout.terms)) sum.terms[name] = (sum.terms[name] ?? 0) + value;
        for (const [name, value] of Object.entries(readout.diagnostics)) sum.diagnostics[name] = (sum.diagnostics[name] ?? 0) + value;
        losses[learner.info.key] = { loss: readout.loss, imagesSeen: imagesSeen(epoch, step), diagnostics: readout.diagnostics };
      });
      clock.advance(stepCost);
      events.progress({ phase, epoch, epochs, step: step + 1, stepsPerEpoch: plan.stepsPerEpoch, ...clock.reading(), imagesPerSecond: clock.rate(plan.batch * learners.length), losses });
    }

    for (const [i, learner] of learners.entries()) {
      const evaluation = await evaluate(learner.net, test, plan.batch, learner.info.label);
      lastEvaluation.set(learner.info.key, evaluation);
      clock.advance(plan.evalBatches * (costs.evalBatch[learner.info.key] ?? 0));
      const sum = sums[i]!;
      const steps = Math.max(1, plan.stepsPerEpoch);
      const metrics: EpochMetrics = {
        learner: learner.info.key,
        epoch: epoch + 1,
        lr,
        trainLoss: sum.loss / steps,
        terms: Object.fromEntries(Object.entries(sum.terms).map(([name, value]) => [name, value / steps])),
        diagnostics: Object.fromEntries(Object.entries(sum.diagnostics).map(([name, value]) => [name, value / steps])),
        trainAccuracy: sum.correct / (steps * plan.batch),
        testAccuracy: evaluation.accuracy,
        testNll: evaluation.nll,
        ece: evaluation.ece,
        seconds: (performance.now() - start) / 1000,
      };
      history.get(learner.info.key)!.push(metrics);
      events.epoch(metrics);
    }
  }

  for (const learner of learners) {
    const epochsRun = history.get(learner.info.key)!;
    const last = epochsRun[epochsRun.length - 1];
    if (!last) continue; // zero epochs requested
    const best = epochsRun.reduce((a, b) => (b.testAccuracy > a.testAccuracy ? b : a));
    const result: ModelResult = {
      learner: learner.info,
      epochs: epochsRun.length,
      lastAccuracy: last.testAccuracy,
      bestAccuracy: best.testAccuracy,
      bestEpoch: best.epoch,
      ece: last.ece,
      nll: last.testNll,
      seconds: last.seconds,
      reused: false,
      testLogits: lastEvaluation.get(learner.info.key)!.logits,
      testLabels: lastEvaluation.get(learner.info.key)!.labels.slice(),
    };
    ctx.results.push(result);
    events.learnerDone(result);
  }
}
