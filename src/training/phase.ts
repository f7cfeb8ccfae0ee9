/**
 * One training phase: learners in lockstep on the very same batches (same order, same augmentation),
 * evaluated on the test subset after every epoch. A phase is the teachers, the students' main stage, or a
 * stage the distilled student trains alone first (REFILLED); a data-free method makes the distilled
 * student's batches itself while the baseline reads real ones.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../config/runConfig';
import { keyedRng, permutation } from '../core/random';
import type { BatchSource } from '../data/batches';
import type { EarlyStage, Synthesized } from '../methods/method';
import type { Network } from '../models/network';
import type { EpochMetrics, FromWorker, LearnerProgress, ModelResult, RunPlanSummary } from '../contract/protocol';
import { TrainingDiverged } from './errors';
import { evaluate, evaluateLogits, type Evaluation } from './evaluate';
import { distils, stepLearners, synthesisInputs, teacherContext, type Learner, type StepReadout } from './learner';
import type { RunPlan, StepCosts } from './plan';
import type { ProgressClock } from './progressClock';
import type { RunControl } from './runControl';
import { learningRate, stepDecayOf, type ScheduleOptions } from '../core/schedule';
import { methodSamples, restoreWeights, snapshotWeights, type WeightSnapshot } from './stages';
import { canCacheTeacherLogits, TeacherLogitsCache } from './teacherLogitsCache';

/** A progress report, as the worker posts it (without the message envelope). */
export type RunProgress = Omit<Extract<FromWorker, { type: 'progress' }>, 'type' | 'runId'>;
export type RunSamples = Extract<FromWorker, { type: 'samples' }>['samples'];

export interface RunEvents {
  started(plan: RunPlanSummary): void;
  progress(progress: RunProgress): void;
  epoch(metrics: EpochMetrics): void;
  learnerDone(result: ModelResult): void;
  /** Images a method made (a data-free generator's), after each epoch. */
  samples?(samples: RunSamples): void;
}

export interface PhaseContext {
  readonly plan: RunPlan;
  readonly config: RunConfig;
  readonly train: BatchSource;
  /** The images kept out of training, evaluated once at the end for calibration; null when none are. */
  readonly holdout: BatchSource | null;
  readonly test: BatchSource;
  readonly control: RunControl;
  readonly events: RunEvents;
  readonly costs: StepCosts;
  readonly clock: ProgressClock;
  readonly results: ModelResult[];
  /** Computes frozen teachers' logits once per phase when the inputs allow it (see teacherLogitsCache.ts). */
  readonly cacheTeacherLogits?: boolean;
  /** Called after each main-phase epoch that has another after it (a checkpoint); the phase waits for it. */
  readonly onEpochEnd?: (state: PhaseState) => Promise<void>;
}

/** Where a phase stands after an epoch: enough, with the learners' variables, to continue it later. */
export interface PhaseState {
  readonly phase: 'teachers' | 'students';
  readonly learners: readonly Learner[];
  readonly epochsDone: number;
  readonly epochs: number;
}

export interface PhaseSpec {
  readonly phase: 'teachers' | 'students';
  readonly learners: readonly Learner[];
  readonly teacherNets: readonly Network[];
  readonly epochs: number;
  /** The distilled student's stage label, for multi-stage methods. */
  readonly stageLabel?: string;
  /** An early stage replaces the method's losses and keeps the best-scoring epoch's weights; no result is reported. */
  readonly earlyStage?: EarlyStage<unknown>;
  /** An early stage's own rate (REFILLED's stage 1 as its reference): cosine from `lr` to `lr`/10, whatever the schedule. */
  readonly cosineToTenth?: boolean;
  /** Epochs already trained in earlier stages, by learner key: numbering continues after them. */
  readonly epochOffsets?: Readonly<Record<string, number>>;
  /** A resumed phase: epochs of it already trained (restored from a checkpoint) and their metrics by learner key. */
  readonly resumeAt?: { readonly epochsDone: number; readonly history: Readonly<Record<string, readonly EpochMetrics[]>> };
}

interface EpochSums {
  loss: number;
  correct: number;
  terms: Record<string, number>;
  /** Diagnostics may come only on some steps (a generator update every k steps): each has its own count. */
  diagnostics: Record<string, { sum: number; count: number }>;
}

/** What a phase carries from batch to batch and epoch to epoch. */
interface PhaseRun {
  readonly ctx: PhaseContext;
  readonly spec: PhaseSpec;
  /** At most one learner per phase distils; its method decides what the teachers see. */
  readonly distiller: Learner | undefined;
  /** Each learner's epochs so far, a resumed phase's included. */
  readonly history: Map<string, EpochMetrics[]>;
  readonly lastEvaluation: Map<string, Evaluation>;
  readonly stepCost: number;
  /** When the phase started; a resumed phase's clock continues from its last recorded epoch. */
  readonly start: number;
  /** The frozen teachers' logits, computed once, when the inputs allow it. */
  cache: TeacherLogitsCache | null;
  /** An early stage's best-scoring epoch so far. */
  best: { score: number; weights: WeightSnapshot } | null;
}

/** Trains `spec.learners` in lockstep for `spec.epochs` epochs, evaluating each after every epoch. */
export async function trainPhase(ctx: PhaseContext, spec: PhaseSpec): Promise<void> {
  const run = startPhase(ctx, spec);
  try {
    if (ctx.cacheTeacherLogits && !spec.earlyStage && canCacheTeacherLogits(ctx.config, run.distiller)) run.cache = await TeacherLogitsCache.build(spec.teacherNets, ctx.train, ctx.plan.batch);
    for (let epoch = spec.resumeAt?.epochsDone ?? 0; epoch < spec.epochs; epoch++) {
      const { sums, lr } = await trainEpoch(run, epoch);
      for (const [i, learner] of spec.learners.entries()) await evaluateEpoch(run, learner, sums[i]!, epoch, lr);
      await endEpoch(run, epoch);
    }
    // The next stage starts from the best-scoring epoch's weights, as REFILLED keeps its best stage-1 model.
    if (run.best && run.distiller) restoreWeights(run.distiller.net, run.best.weights);
  } finally {
    run.best?.weights.dispose();
    run.cache?.dispose();
  }
  if (!spec.earlyStage) await reportResults(ctx, spec.learners, run.history, run.lastEvaluation);
}

function startPhase(ctx: PhaseContext, spec: PhaseSpec): PhaseRun {
  const { learners, resumeAt } = spec;
  const history = new Map(learners.map((l) => [l.info.key, [...(resumeAt?.history[l.info.key] ?? [])]]));
  const start = performance.now() - 1000 * (history.get(learners[0]?.info.key ?? '')?.at(-1)?.seconds ?? 0);
  const stepCost = learners.reduce((sum, l) => sum + (ctx.costs.trainStep[l.info.key] ?? 0), 0);
  return { ctx, spec, distiller: learners.find(distils), history, lastEvaluation: new Map(), stepCost, start, cache: null, best: null };
}

/** One epoch's batches; returns each learner's sums and the last step's learning rate. */
async function trainEpoch(run: PhaseRun, epoch: number): Promise<{ sums: EpochSums[]; lr: number }> {
  const { plan, config, control } = run.ctx;
  // Same keys in every phase: the baseline and the student see identical batches.
  const order = permutation(plan.trainImages, keyedRng(config.seed, 'shuffle', epoch));
  const sums: EpochSums[] = run.spec.learners.map(() => ({ loss: 0, correct: 0, terms: {}, diagnostics: {} }));
  let lr = config.lr;
  for (let step = 0; step < plan.stepsPerEpoch; step++) {
    await control.gate();
    const stepStart = performance.now();
    lr = learningRate(phaseSchedule(run), epoch, step);
    await trainBatch(run, sums, order.subarray(step * plan.batch, (step + 1) * plan.batch), { epoch, step, lr, stepStart });
  }
  return { sums, lr };
}

/** Each phase and stage runs the schedule over its own epochs (milestones scaled to them; see StepDecay). */
function phaseSchedule({ ctx: { config, plan }, spec }: PhaseRun): ScheduleOptions {
  const base = { baseLr: config.lr, epochs: spec.epochs, stepsPerEpoch: plan.stepsPerEpoch };
  return spec.cosineToTenth ? { ...base, schedule: 'cosine', cosineFloor: 0.1 } : { ...base, schedule: config.schedule, stepDecay: stepDecayOf(config) };
}

interface StepAt {
  readonly epoch: number;
  readonly step: number;
  readonly lr: number;
  readonly stepStart: number;
}

/** One step of every learner on the batch `indices` (a data-free distiller on its generated batch instead). */
async function trainBatch(run: PhaseRun, sums: EpochSums[], indices: Int32Array, at: StepAt): Promise<void> {
  const { ctx, spec, distiller } = run;
  const { plan, config, train } = ctx;
  const real = train.trainBatch(indices, config.augment ? keyedRng(config.seed, 'augment', at.epoch, at.step) : null);
  const synthesis = distiller && !spec.earlyStage && distiller.method.synthesize ? synthesisInputs(distiller, spec.teacherNets, train, plan.batch, config.seed, at.epoch, at.step) : null;
  let synthesized: Synthesized | null = null;
  try {
    synthesized = synthesis ? await distiller!.method.synthesize!(synthesis) : null;
    const batchOf = (learner: Learner) => (learner === distiller && synthesized ? synthesized.batch : real);
    const teachers = run.cache ? run.cache.context(indices) : teacherContext(distiller, spec.teacherNets, synthesized?.batch ?? real);
    const readouts = await stepLearners(spec.learners, batchOf, teachers, at, spec.earlyStage?.losses);
    const after = synthesis && distiller!.method.afterStep ? await distiller!.method.afterStep(synthesis) : {};
    const losses = readLosses(run, sums, readouts, { ...synthesized?.diagnostics, ...after }, at);
    ctx.clock.advance(run.stepCost);
    ctx.events.progress({ phase: spec.phase, epoch: at.epoch, epochs: spec.epochs, step: at.step + 1, stepsPerEpoch: plan.stepsPerEpoch, ...ctx.clock.reading(), imagesPerSecond: ctx.clock.rate(plan.batch * spec.learners.length), losses, stage: spec.stageLabel, stepSeconds: (performance.now() - at.stepStart) / 1000 });
  } finally {
    tf.dispose([real.x, real.labels]);
    if (synthesized) tf.dispose([synthesized.batch.x, synthesized.batch.labels]);
  }
}

/** Adds each learner's readout to its epoch sums; fails on a loss that is not finite. `extra`: the distiller's generator diagnostics. */
function readLosses(run: PhaseRun, sums: EpochSums[], readouts: readonly StepReadout[], extra: Readonly<Record<string, number>>, at: StepAt): Record<string, LearnerProgress> {
  const losses: Record<string, LearnerProgress> = {};
  run.spec.learners.forEach((learner, i) => {
    const readout = readouts[i]!;
    if (!Number.isFinite(readout.loss)) throw new TrainingDiverged(learner.info.label, `the loss at epoch ${at.epoch + 1}, step ${at.step + 1}`);
    const diagnostics = learner === run.distiller ? { ...readout.diagnostics, ...extra } : readout.diagnostics;
    accumulate(sums[i]!, readout.loss, readout.correct, readout.terms, diagnostics);
    losses[learner.info.key] = { loss: readout.loss, imagesSeen: imagesSeen(run, learner, at.epoch, at.step), diagnostics };
  });
  return losses;
}

/** Images a learner has seen, counted across stages so a multi-stage student's curves continue rather than restart. */
function imagesSeen(run: PhaseRun, learner: Learner, epoch: number, step: number): number {
  const { plan } = run.ctx;
  return ((epoch + (run.spec.epochOffsets?.[learner.info.key] ?? 0)) * plan.stepsPerEpoch + step + 1) * plan.batch;
}

/** Evaluates a learner after an epoch, scores an early stage (keeping its best weights) and posts the epoch's metrics. */
async function evaluateEpoch(run: PhaseRun, learner: Learner, sum: EpochSums, epoch: number, lr: number): Promise<void> {
  const { ctx, spec, distiller } = run;
  const { plan, test, costs, clock } = ctx;
  const evaluation = await evaluate(learner.net, test, plan.batch, learner.info.label);
  run.lastEvaluation.set(learner.info.key, evaluation);
  clock.advance(plan.evalBatches * (costs.evalBatch[learner.info.key] ?? 0));
  const steps = Math.max(1, plan.stepsPerEpoch);
  const diagnostics = Object.fromEntries(Object.entries(sum.diagnostics).map(([name, d]) => [name, d.sum / d.count]));
  if (spec.earlyStage?.score && learner === distiller) {
    const score = await spec.earlyStage.score({ student: learner.net, test, batch: plan.batch });
    diagnostics[score.name] = score.value;
    if (!run.best || score.value > run.best.score) {
      run.best?.weights.dispose();
      run.best = { score: score.value, weights: snapshotWeights(learner.net) };
    }
  }
  const stage = learner === distiller ? spec.stageLabel : undefined;
  const metrics: EpochMetrics = {
    learner: learner.info.key,
    epoch: epoch + 1 + (spec.epochOffsets?.[learner.info.key] ?? 0),
    lr,
    trainLoss: sum.loss / steps,
    terms: Object.fromEntries(Object.entries(sum.terms).map(([name, value]) => [name, value / steps])),
    diagnostics,
    trainAccuracy: sum.correct / (steps * plan.batch),
    testAccuracy: evaluation.accuracy,
    testNll: evaluation.nll,
    ece: evaluation.ece,
    seconds: (performance.now() - run.start) / 1000,
    ...(stage ? { stage } : {}),
  };
  run.history.get(learner.info.key)!.push(metrics);
  ctx.events.epoch(metrics);
}

/** After every learner's metrics: the method's generated samples, then a checkpoint when another epoch follows. */
async function endEpoch(run: PhaseRun, epoch: number): Promise<void> {
  const { ctx, spec, distiller } = run;
  const { plan, config, train, events } = ctx;
  if (distiller && !spec.earlyStage && distiller.method.samples && events.samples) {
    const inputs = synthesisInputs(distiller, spec.teacherNets, train, plan.batch, config.seed, epoch, plan.stepsPerEpoch);
    events.samples(await methodSamples(distiller, inputs, run.history.get(distiller.info.key)!.at(-1)!.epoch));
  }
  if (ctx.onEpochEnd && !spec.earlyStage && epoch + 1 < spec.epochs) await ctx.onEpochEnd({ phase: spec.phase, learners: spec.learners, epochsDone: epoch + 1, epochs: spec.epochs });
}

function accumulate(sum: EpochSums, loss: number, correct: number, terms: Readonly<Record<string, number>>, diagnostics: Readonly<Record<string, number>>): void {
  sum.loss += loss;
  sum.correct += correct;
  for (const [name, value] of Object.entries(terms)) sum.terms[name] = (sum.terms[name] ?? 0) + value;
  for (const [name, value] of Object.entries(diagnostics)) {
    const d = (sum.diagnostics[name] ??= { sum: 0, count: 0 });
    d.sum += value;
    d.count += 1;
  }
}

/** Each learner's result: its last epoch first, the best (selected on the test images) beside it, and its held-out logits. */
async function reportResults(ctx: PhaseContext, learners: readonly Learner[], history: ReadonlyMap<string, EpochMetrics[]>, lastEvaluation: ReadonlyMap<string, Evaluation>): Promise<void> {
  for (const learner of learners) {
    const epochsRun = history.get(learner.info.key)!;
    const last = epochsRun[epochsRun.length - 1];
    if (!last) continue; // zero epochs requested
    // Once, for the final model: the calibration panel fits its temperature on these.
    const heldOut = ctx.holdout ? await evaluateLogits(learner.net, ctx.holdout, ctx.plan.batch, learner.info.label) : null;
    const best = epochsRun.reduce((a, b) => (b.testAccuracy > a.testAccuracy ? b : a));
    const evaluation = lastEvaluation.get(learner.info.key)!;
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
      testLogits: evaluation.logits,
      testLabels: evaluation.labels.slice(),
      ...(heldOut ? { heldOutLogits: heldOut.logits, heldOutLabels: heldOut.labels.slice() } : {}),
    };
    ctx.results.push(result);
    ctx.events.learnerDone(result);
  }
}
