/**
 * One experiment: teachers first (cross-entropy), then the stages the distilled student trains alone (if its
 * method has any), then the scratch baseline and the distilled student in lockstep on the very same
 * batches (same order, same augmentation, same initial weights), evaluated on the test subset after every
 * epoch. DOM-free: the worker wires it to messages, tests call it directly.
 */
import type { RunConfig } from '../config/runConfig';
import { keyedRng } from '../core/random';
import { BatchSource, type Normalization } from '../data/batches';
import { splitImages, takeBalancedSubset, type LabeledImages } from '../data/cifarBinary';
import { holdoutIndices } from '../core/holdout';
import { METHOD_CATALOG, teacherCount } from '../contract/methodCatalog';
import type { Network } from '../models/network';
import type { EpochMetrics, ModelResult } from '../contract/protocol';
import { distils, type Learner } from './learner';
import { createLearner, disposeLearner, disposeLearnerState } from './learners';
import type { ModelShelf } from './modelShelf';
import { trainPhase, type PhaseContext, type PhaseSpec, type PhaseState, type RunEvents } from './phase';
import type { RunCheckpoint } from '../storage/checkpointStore';
import { buildNetwork } from '../models/zoo';
import { CheckpointTensors, captureCheckpoint, resumable } from '../storage/worker/checkpoint';
import { evaluate, evaluateLogits } from './evaluate';
import { planRun, predictSeconds, type PlannedLearner, type RunPlan, type StepCosts } from './plan';
import { ProgressClock } from './progressClock';
import { forEachTrainingBatch } from './stages';
import { teacherKey, type TeacherCache } from './teacherCache';
import { RunStopped, type RunControl } from './runControl';

export type { RunEvents, RunProgress, RunSamples } from './phase';

export interface RunData {
  readonly train: LabeledImages;
  readonly test: LabeledImages;
  readonly normalization: Normalization;
  readonly numClasses: number;
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
  /** Receives the run's trained networks when it ends (finished or stopped), for inspection. */
  readonly shelf?: ModelShelf;
  /** Loads a model saved in the browser as a teacher (`config.savedTeacher`); the run owns the network. */
  readonly loadSavedTeacher?: (id: string, planned: PlannedLearner, numClasses: number) => Promise<Network>;
  /** Receives a checkpoint after each epoch that has another after it (methods that can resume only). */
  readonly checkpoints?: { readonly backend: string; save(checkpoint: RunCheckpoint): Promise<void> };
  /** Continues the run this checkpoint was taken from (`config` must be the checkpoint's). */
  readonly resume?: RunCheckpoint;
  /** Compute frozen teachers' logits once when the inputs allow it (default true; the benchmark turns it off to compare). */
  readonly cacheTeacherOutputs?: boolean;
}

export async function runExperiment(config: RunConfig, data: RunData, control: RunControl, runEvents: RunEvents, services: RunServices): Promise<RunOutcome> {
  const { measureCosts, teacherCache, shelf, loadSavedTeacher, checkpoints } = services;
  const plan = planRun(config, { trainCount: data.train.count, testCount: data.test.count });
  const { train, holdout } = trainingSources(config, plan, data);
  const test = new BatchSource(takeBalancedSubset(data.test, plan.testImages, data.numClasses), data.normalization);
  const results: ModelResult[] = [];
  const teachers: Learner[] = [];
  let students: Learner[] = [];
  const teacherNets: Network[] = [];
  /** Saved teachers loaded for this run: no learner owns them, so the run disposes them unless shelved. */
  const loaded: Network[] = [];
  let failed = false;
  // Every epoch's metrics so far (a resumed run's included), for checkpoints.
  const history: EpochMetrics[] = [...(services.resume?.history ?? [])];
  const events: RunEvents = { ...runEvents, epoch: (metrics) => (history.push(metrics), runEvents.epoch(metrics)) };
  let resume: CheckpointTensors | null = null;
  shelf?.clear(); // the previous run's models give their memory back before this run takes any
  try {
    const learnerInfos = [...plan.teachers, ...plan.students].map(({ key, role, label, model, method }) => ({ key, role, label, model, method }));
    events.started({ learners: learnerInfos, trainImages: plan.trainImages, holdoutImages: plan.holdoutImages, testImages: plan.testImages, stepsPerEpoch: plan.stepsPerEpoch, notes: plan.notes });
    events.progress({ phase: 'warmup', epoch: 0, epochs: config.epochs, step: 0, stepsPerEpoch: plan.stepsPerEpoch, fraction: 0, secondsLeft: null, imagesPerSecond: 0, losses: {} });
    if (services.resume) {
      resume = new CheckpointTensors(services.resume);
      for (const metrics of services.resume.history) runEvents.epoch(metrics); // the page's curves start where they were
    }
    // Saved teachers load first, so a missing or mismatched one fails before the warm-up.
    const savedNets: (Network | null)[] = [];
    for (const planned of resume ? [] : plan.teachers) {
      if (planned.savedModel && !loadSavedTeacher) throw new Error('Saved models cannot be loaded here.');
      const net = planned.savedModel ? await loadSavedTeacher!(planned.savedModel, planned, data.numClasses) : null;
      if (net) loaded.push(net);
      savedNets.push(net);
    }
    const costs = await measureCosts(plan, train, test);
    const keys = plan.teachers.map((t) => teacherKey(config, plan, t));
    const reusable = keys.map((key, i) => (config.reuseTeachers && !plan.teachers[i]!.savedModel ? teacherCache?.get(key) : undefined));
    const predicted = predictSeconds(plan, config, costs);
    const teachersToTrain = plan.teachers.filter((t, i) => !reusable[i] && !t.savedModel).length / Math.max(1, plan.teachers.filter((t) => !t.savedModel).length);
    const clock = new ProgressClock(resume ? remainingSeconds(resume.checkpoint, predicted, config) : predicted.teachers * teachersToTrain + predicted.students);
    const onEpochEnd =
      checkpoints && resumable(config.method)
        ? async (state: PhaseState) => {
            const finished = teacherNets.map((net, i) => ({ key: plan.teachers[i]!.key, net }));
            await checkpoints.save(await captureCheckpoint({ config, backend: checkpoints.backend, state, teachers: finished, history, results }));
          }
        : undefined;
    const phase: PhaseContext = { plan, config, train, holdout, test, control, events, costs, clock, results, onEpochEnd, cacheTeacherLogits: services.cacheTeacherOutputs !== false };
    const restoring = resume?.checkpoint;

    for (const [i, planned] of plan.teachers.entries()) {
      if (resume && restoring && (restoring.phase === 'students' || i < restoring.teachersDone)) {
        // Finished before the checkpoint: its weights and its result come back as they were.
        const net = buildNetwork(planned.model, { numClasses: data.numClasses, name: planned.key, seed: planned.initSeed });
        loaded.push(net);
        resume.restoreNet(planned.key, net);
        teacherNets.push(net);
        const result = resume.result(planned.key);
        results.push(result);
        events.learnerDone(result);
        continue;
      }
      const net = savedNets[i];
      if (net) {
        teacherNets.push(net);
        const result = await savedTeacherResult(net, planned, test, holdout, plan.batch);
        results.push(result);
        events.learnerDone(result);
        continue;
      }
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
      const resumeAt = resume && restoring?.phase === 'teachers' && i === restoring.teachersDone ? resumeLearners(resume, [teacher]) : undefined;
      await trainPhase(phase, { phase: 'teachers', learners: [teacher], teacherNets: [], epochs: config.teacherEpochs, resumeAt });
      teacherNets.push(teacher.net);
      teacherCache?.put(keys[i]!, { net: teacher.net, result: results[results.length - 1]! });
    }
    students = plan.students.map((p) => createLearner(p, config, data.numClasses, teacherNets));
    const resumeAt = resume && restoring?.phase === 'students' ? resumeLearners(resume, students) : undefined;
    resume?.dispose();
    resume = null;
    const epochOffsets = await trainEarlyStages(phase, students.find(distils), teacherNets, data.numClasses);
    const stages = METHOD_CATALOG[config.method].needs.stages;
    await trainPhase(phase, { phase: 'students', learners: students, teacherNets, epochs: config.epochs, epochOffsets, stageLabel: stages?.at(-1)?.label, resumeAt });
    return { results, stopped: false };
  } catch (error) {
    if (error instanceof RunStopped) return { results, stopped: true };
    failed = true;
    throw error;
  } finally {
    resume?.dispose();
    const shelved = shelf && !failed;
    if (!shelved) for (const net of loaded) net.dispose();
    if (shelved) {
      const infos = [...plan.teachers, ...plan.students];
      const nets = [...teacherNets, ...students.map((s) => s.net)];
      shelf.keep(
        nets.map((net, i) => ({ key: infos[i]!.key, label: infos[i]!.label, net, owned: !teacherCache?.owns(net) })),
        { test: test.set, normalization: data.normalization, batch: plan.batch },
      );
    }
    // Nets held by the cache or the shelf outlive the run; their optimizer state and modules go.
    for (const learner of [...teachers, ...students]) {
      if (teacherCache?.owns(learner.net) || shelf?.holds(learner.net)) disposeLearnerState(learner);
      else disposeLearner(learner);
    }
    train.dispose();
    holdout?.dispose();
    test.dispose();
  }
}

/**
 * The training images and the hold-out. The subset is the first images of each class, class-balanced (the
 * same `subset` always means the same images); the hold-out is a seeded 10% of it that every learner's
 * batches, the teachers' cached logits and REFILLED's class centres leave out, because they all read `train`.
 */
function trainingSources(config: RunConfig, plan: RunPlan, data: RunData): { train: BatchSource; holdout: BatchSource | null } {
  const subset = takeBalancedSubset(data.train, plan.trainImages + plan.holdoutImages, data.numClasses);
  if (plan.holdoutImages === 0) return { train: new BatchSource(subset, data.normalization), holdout: null };
  const { kept, held } = splitImages(subset, holdoutIndices(subset.labels, data.numClasses, plan.holdoutImages, config.seed));
  return { train: new BatchSource(kept, data.normalization), holdout: new BatchSource(held, data.normalization) };
}

/**
 * The stages the distilled student trains alone before the main one, then its method's preparation for the
 * main stage (REFILLED: global class centres, a fresh classifier) and a fresh optimizer. Returns the epochs
 * trained, by learner key, so the main stage's epoch numbers continue after them.
 */
async function trainEarlyStages(phase: PhaseContext, student: Learner | undefined, teacherNets: readonly Network[], numClasses: number): Promise<Record<string, number>> {
  const { plan, config, train } = phase;
  if (!student || plan.earlyStages.length === 0) return {};
  let trained = 0;
  for (const stage of plan.earlyStages) {
    const earlyStage = student.method.earlyStages?.find((s) => s.id === stage.id);
    if (!earlyStage) throw new Error(`Method "${student.method.spec.id}" declares stage "${stage.id}" but does not implement it`);
    await trainPhase(phase, { phase: 'students', learners: [student], teacherNets, epochs: stage.epochs, stageLabel: stage.label, earlyStage, epochOffsets: { [student.info.key]: trained } });
    trained += stage.epochs;
  }
  await student.method.prepareMainStage?.({
    student: student.net,
    teacherNets,
    modules: student.modules,
    params: student.params,
    numClasses,
    rng: keyedRng(config.seed, 'main-stage'),
    forEachTrainingBatch: (visit) => forEachTrainingBatch(train, config, plan.batch, visit),
  });
  student.optimizer.reset();
  return { [student.info.key]: trained };
}

/** Restores learners from a checkpoint; the phase continues after its epochs. */
function resumeLearners(resume: CheckpointTensors, learners: readonly Learner[]): PhaseSpec['resumeAt'] {
  for (const learner of learners) resume.restoreLearner(learner);
  return { epochsDone: resume.checkpoint.epochsDone, history: Object.fromEntries(learners.map((l) => [l.info.key, resume.history(l.info.key)])) };
}

/** Predicted seconds a resumed run has left: the phase's remaining epochs and what follows it. */
function remainingSeconds(checkpoint: RunCheckpoint, predicted: { teachers: number; students: number }, config: RunConfig): number {
  const { phase, epochsDone, teachersDone } = checkpoint;
  const teachersTotal = Math.max(1, teacherCount(config.method, config.methodParams));
  if (phase === 'students') return predicted.students * (1 - epochsDone / config.epochs);
  return predicted.teachers * (1 - (teachersDone + epochsDone / config.teacherEpochs) / teachersTotal) + predicted.students;
}

/** A saved teacher's row in the results: evaluated on this run's test subset (and hold-out), never trained here. */
async function savedTeacherResult(net: Network, planned: PlannedLearner, test: BatchSource, holdout: BatchSource | null, batch: number): Promise<ModelResult> {
  const evaluation = await evaluate(net, test, batch, planned.label);
  const heldOut = holdout ? await evaluateLogits(net, holdout, batch, planned.label) : null;
  return {
    learner: { key: planned.key, role: planned.role, label: planned.label, model: planned.model, method: planned.method, parameters: net.params.trainableCount },
    epochs: 0,
    lastAccuracy: evaluation.accuracy,
    bestAccuracy: evaluation.accuracy,
    bestEpoch: 0,
    ece: evaluation.ece,
    nll: evaluation.nll,
    seconds: 0,
    reused: true,
    testLogits: evaluation.logits,
    testLabels: evaluation.labels.slice(),
    ...(heldOut ? { heldOutLogits: heldOut.logits, heldOutLabels: heldOut.labels.slice() } : {}),
  };
}
