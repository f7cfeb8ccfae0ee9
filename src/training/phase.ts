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
import type { EarlyStage, SynthesisInputs, Synthesized } from '../methods/method';
import type { Network } from '../models/network';
import type { EpochMetrics, FromWorker, LearnerProgress, ModelResult, RunPlanSummary } from '../contract/protocol';
import { TrainingDiverged } from './errors';
import { evaluate, evaluateLogits, type Evaluation } from './evaluate';
import { disposeOutputs, distils, prepareStep, teacherContext, trainStep, unpackReadout, type Learner } from './learner';
import type { RunPlan, StepCosts } from './plan';
import type { ProgressClock } from './progressClock';
import type { RunControl } from './runControl';
import { learningRate } from '../core/schedule';
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

/** Trains `spec.learners` in lockstep for `spec.epochs` epochs, evaluating each after every epoch. */
export async function trainPhase(ctx: PhaseContext, spec: PhaseSpec): Promise<void> {
  const { plan, config, train, test, control, events, costs, clock } = ctx;
  const { phase, learners, teacherNets, epochs, earlyStage } = spec;
  const resumed = spec.resumeAt;
  const history = new Map(learners.map((l) => [l.info.key, [...(resumed?.history[l.info.key] ?? [])]]));
  // A resumed phase's clock continues from its last recorded epoch.
  const start = performance.now() - 1000 * (history.get(learners[0]?.info.key ?? '')?.at(-1)?.seconds ?? 0);
  const lastEvaluation = new Map<string, Evaluation>();
  const stepCost = learners.reduce((sum, l) => sum + (costs.trainStep[l.info.key] ?? 0), 0);
  // At most one learner per phase distils; its method decides what the teachers see.
  const distiller = learners.find(distils);
  const stageOf = (learner: Learner) => (learner === distiller ? spec.stageLabel : undefined);
  // Counted across stages, so a multi-stage student's curves continue rather than restart.
  const imagesSeen = (learner: Learner, epoch: number, step: number) => ((epoch + (spec.epochOffsets?.[learner.info.key] ?? 0)) * plan.stepsPerEpoch + step + 1) * plan.batch;
  let best: { score: number; weights: WeightSnapshot } | null = null;
  let cache: TeacherLogitsCache | null = null;

  try {
    if (ctx.cacheTeacherLogits && !earlyStage && canCacheTeacherLogits(config, distiller)) cache = await TeacherLogitsCache.build(teacherNets, train, plan.batch);
    for (let epoch = resumed?.epochsDone ?? 0; epoch < epochs; epoch++) {
      // Same keys in every phase: the baseline and the student see identical batches.
      const order = permutation(plan.trainImages, keyedRng(config.seed, 'shuffle', epoch));
      const sums: EpochSums[] = learners.map(() => ({ loss: 0, correct: 0, terms: {}, diagnostics: {} }));
      let lr = config.lr;
      for (let step = 0; step < plan.stepsPerEpoch; step++) {
        await control.gate();
        const stepStart = performance.now();
        lr = learningRate({ schedule: config.schedule, baseLr: config.lr, epochs, stepsPerEpoch: plan.stepsPerEpoch }, epoch, step);
        const real = train.trainBatch(order.subarray(step * plan.batch, (step + 1) * plan.batch), config.augment ? keyedRng(config.seed, 'augment', epoch, step) : null);
        const synthesis = distiller && !earlyStage && distiller.method.synthesize ? synthesisInputs(distiller, teacherNets, train, plan.batch, config.seed, epoch, step) : null;
        let synthesized: Synthesized | null = null;
        let after: Readonly<Record<string, number>> = {};
        try {
          synthesized = synthesis ? await distiller!.method.synthesize!(synthesis) : null;
          const batchOf = (learner: Learner) => (learner === distiller && synthesized ? synthesized.batch : real);
          const teachers = cache ? cache.context(order.subarray(step * plan.batch, (step + 1) * plan.batch)) : teacherContext(distiller, teacherNets, synthesized?.batch ?? real);
          const prepared = earlyStage ? learners.map(() => undefined) : await Promise.all(learners.map((l) => prepareStep(l, batchOf(l), teachers, epoch)));
          const steps = learners.map((l, i) => trainStep(l, batchOf(l), teachers, epoch, lr, prepared[i], earlyStage?.losses));
          disposeOutputs(teachers.outputs);
          const values = await Promise.all(steps.map((s) => s.packed.data()));
          steps.forEach((s) => s.packed.dispose());
          if (synthesis && distiller!.method.afterStep) after = await distiller!.method.afterStep(synthesis);

          const losses: Record<string, LearnerProgress> = {};
          learners.forEach((learner, i) => {
            const readout = unpackReadout(values[i]!, steps[i]!);
            if (!Number.isFinite(readout.loss)) throw new TrainingDiverged(learner.info.label, `the loss at epoch ${epoch + 1}, step ${step + 1}`);
            const diagnostics = learner === distiller ? { ...readout.diagnostics, ...synthesized?.diagnostics, ...after } : readout.diagnostics;
            accumulate(sums[i]!, readout.loss, readout.correct, readout.terms, diagnostics);
            losses[learner.info.key] = { loss: readout.loss, imagesSeen: imagesSeen(learner, epoch, step), diagnostics };
          });
          clock.advance(stepCost);
          events.progress({ phase, epoch, epochs, step: step + 1, stepsPerEpoch: plan.stepsPerEpoch, ...clock.reading(), imagesPerSecond: clock.rate(plan.batch * learners.length), losses, stage: spec.stageLabel, stepSeconds: (performance.now() - stepStart) / 1000 });
        } finally {
          tf.dispose([real.x, real.labels]);
          if (synthesized) tf.dispose([synthesized.batch.x, synthesized.batch.labels]);
        }
      }

      for (const [i, learner] of learners.entries()) {
        const evaluation = await evaluate(learner.net, test, plan.batch, learner.info.label);
        lastEvaluation.set(learner.info.key, evaluation);
        clock.advance(plan.evalBatches * (costs.evalBatch[learner.info.key] ?? 0));
        const sum = sums[i]!;
        const steps = Math.max(1, plan.stepsPerEpoch);
        const diagnostics = Object.fromEntries(Object.entries(sum.diagnostics).map(([name, d]) => [name, d.sum / d.count]));
        if (earlyStage?.score && learner === distiller) {
          const score = await earlyStage.score({ student: learner.net, test, batch: plan.batch });
          diagnostics[score.name] = score.value;
          if (!best || score.value > best.score) {
            best?.weights.dispose();
            best = { score: score.value, weights: snapshotWeights(learner.net) };
          }
        }
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
          seconds: (performance.now() - start) / 1000,
          ...(stageOf(learner) ? { stage: stageOf(learner) } : {}),
        };
        history.get(learner.info.key)!.push(metrics);
        events.epoch(metrics);
      }
      if (distiller && !earlyStage && distiller.method.samples && events.samples) {
        const inputs = synthesisInputs(distiller, teacherNets, train, plan.batch, config.seed, epoch, plan.stepsPerEpoch);
        events.samples(await methodSamples(distiller, inputs, history.get(distiller.info.key)!.at(-1)!.epoch));
      }
      if (ctx.onEpochEnd && !earlyStage && epoch + 1 < epochs) await ctx.onEpochEnd({ phase, learners, epochsDone: epoch + 1, epochs });
    }
    // The next stage starts from the best-scoring epoch's weights, as REFILLED keeps its best stage-1 model.
    if (best && distiller) restoreWeights(distiller.net, best.weights);
  } finally {
    best?.weights.dispose();
    cache?.dispose();
  }
  if (!earlyStage) await reportResults(ctx, learners, history, lastEvaluation);
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

function synthesisInputs(distiller: Learner, teacherNets: readonly Network[], train: BatchSource, batchSize: number, seed: number, epoch: number, step: number): SynthesisInputs<unknown> {
  return {
    modules: distiller.modules,
    params: distiller.params,
    teacherNets,
    student: distiller.net,
    batchSize,
    normalize: (images01) => train.normalize(images01),
    rng: keyedRng(seed, 'synthesize', epoch, step),
    epoch,
    step,
  };
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
