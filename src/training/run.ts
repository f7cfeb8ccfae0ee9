/**
 * One experiment: teachers first (cross-entropy), then the stages the distilled student trains alone (if its
 * method has any), then the scratch baseline and the distilled student in lockstep on the very same
 * batches (same order, same augmentation, same initial weights), evaluated on the test subset after every
 * epoch. DOM-free: the worker wires it to messages, tests call it directly.
 */
import type { RunConfig } from '../config/runConfig';
import { METHOD_CATALOG, teacherCount } from '../contract/methodCatalog';
import type { EpochMetrics, ModelResult } from '../contract/protocol';
import { holdoutIndices } from '../core/holdout';
import { keyedRng } from '../core/random';
import { BatchSource, type Normalization } from '../data/batches';
import { splitImages, takeBalancedSubset, type LabeledImages } from '../data/cifarBinary';
import type { Network } from '../models/network';
import type { RunCheckpoint } from '../storage/checkpointStore';
import { CheckpointTensors, captureCheckpoint, resumable } from '../storage/worker/checkpoint';
import { distils, type Learner } from './learner';
import { createLearner, disposeLearner, disposeLearnerState } from './learners';
import type { ModelShelf, ShelvedRun } from './modelShelf';
import { trainPhase, type PhaseContext, type PhaseState, type RunEvents } from './phase';
import { planRun, predictSeconds, type PlannedLearner, type RunPlan, type StepCosts } from './plan';
import { ProgressClock } from './progressClock';
import { RunStopped, type RunControl } from './runControl';
import { forEachTrainingBatch } from './stages';
import { teacherKey, type CachedTeacher, type TeacherCache } from './teacherCache';
import { cachedTeacher, resumedTeacher, trainedTeacher, SavedTeachers, type ReadyTeacher, type SavedTeacherLoader, type SavedTeacherTarget } from './teacherSources';

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
  readonly loadSavedTeacher?: SavedTeacherLoader;
  /** Receives a checkpoint after each epoch that has another after it (methods that can resume only). */
  readonly checkpoints?: { readonly backend: string; save(checkpoint: RunCheckpoint): Promise<void> };
  /** Continues the run this checkpoint was taken from (`config` must be the checkpoint's). */
  readonly resume?: RunCheckpoint;
  /** Compute frozen teachers' logits once when the inputs allow it (default true; the benchmark turns it off to compare). */
  readonly cacheTeacherOutputs?: boolean;
}

export async function runExperiment(config: RunConfig, data: RunData, control: RunControl, runEvents: RunEvents, services: RunServices): Promise<RunOutcome> {
  const plan = planRun(config, { trainCount: data.train.count, testCount: data.test.count });
  const { train, holdout, test } = runSources(config, plan, data);
  const results: ModelResult[] = [];
  // Every epoch's metrics so far (a resumed run's included), for checkpoints.
  const history: EpochMetrics[] = [...(services.resume?.history ?? [])];
  const events: RunEvents = { ...runEvents, epoch: (metrics) => (history.push(metrics), runEvents.epoch(metrics)) };
  const teachers: ReadyTeacher[] = [];
  const students: Learner[] = [];
  let resume: CheckpointTensors | null = null;
  let saved: SavedTeachers | null = null;
  let failed = false;
  services.shelf?.clear(); // the previous run's models give their memory back before this run takes any
  try {
    announce(plan, config, events);
    if (services.resume) resume = resumeFrom(services.resume, runEvents);
    saved = resume ? null : await SavedTeachers.load(plan, services.loadSavedTeacher, { numClasses: data.numClasses, normalization: data.normalization });
    const costs = await services.measureCosts(plan, train, test);
    const cached = cachedTeachers(config, plan, services.teacherCache);
    const onEpochEnd = checkpointSaver(config, plan, services, teachers, history, results);
    const clock = new ProgressClock(expectedSeconds(config, plan, costs, cached, resume));
    const phase: PhaseContext = { plan, config, train, holdout, test, control, events, costs, clock, results, onEpochEnd, cacheTeacherLogits: services.cacheTeacherOutputs !== false };

    for (const [i, planned] of plan.teachers.entries()) teachers.push(await obtainTeacher(phase, planned, i, { resume, saved, cached, target: { numClasses: data.numClasses, normalization: data.normalization }, cache: services.teacherCache }));
    const teacherNets = teachers.map((t) => t.net);
    students.push(...plan.students.map((p) => createLearner(p, config, { numClasses: data.numClasses, imageSide: data.train.side }, teacherNets)));
    const resumeAt = resume?.checkpoint.phase === 'students' ? resume.resumePhase(students) : undefined;
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
    saved?.dispose();
    releaseRun({ plan, teachers, students, services, failed, shelvedRun: { test: test.set, normalization: data.normalization, batch: plan.batch } });
    train.dispose();
    holdout?.dispose();
    test.dispose();
  }
}

function announce(plan: RunPlan, config: RunConfig, events: RunEvents): void {
  const learners = [...plan.teachers, ...plan.students].map(({ key, role, label, model, method }) => ({ key, role, label, model, method }));
  events.started({ learners, trainImages: plan.trainImages, holdoutImages: plan.holdoutImages, testImages: plan.testImages, stepsPerEpoch: plan.stepsPerEpoch, notes: plan.notes });
  events.progress({ phase: 'warmup', epoch: 0, epochs: config.epochs, step: 0, stepsPerEpoch: plan.stepsPerEpoch, fraction: 0, secondsLeft: null, imagesPerSecond: 0, losses: {} });
}

/** The checkpoint's tensors, decoded once; the page's curves start where they were. */
function resumeFrom(checkpoint: RunCheckpoint, runEvents: RunEvents): CheckpointTensors {
  const resume = new CheckpointTensors(checkpoint);
  for (const metrics of checkpoint.history) runEvents.epoch(metrics);
  return resume;
}

interface CachedTeachers {
  readonly keys: readonly string[];
  /** By teacher index: the session's trained teacher with the same settings, when it may be reused. */
  readonly reusable: readonly (CachedTeacher | undefined)[];
}

function cachedTeachers(config: RunConfig, plan: RunPlan, cache: TeacherCache | undefined): CachedTeachers {
  const keys = plan.teachers.map((t) => teacherKey(config, plan, t));
  return { keys, reusable: keys.map((key, i) => (config.reuseTeachers && !plan.teachers[i]!.savedModel ? cache?.get(key) : undefined)) };
}

interface TeacherSources {
  readonly resume: CheckpointTensors | null;
  readonly saved: SavedTeachers | null;
  readonly cached: CachedTeachers;
  readonly cache: TeacherCache | undefined;
  readonly target: SavedTeacherTarget;
}

/** Teacher `index` from the first source that has it: the resumed checkpoint, a saved model, the session's cache, or training. */
async function obtainTeacher(phase: PhaseContext, planned: PlannedLearner, index: number, sources: TeacherSources): Promise<ReadyTeacher> {
  const { resume, saved, cached, cache, target } = sources;
  const { numClasses } = target;
  const restoring = resume?.checkpoint;
  if (resume && restoring && (restoring.phase === 'students' || index < restoring.teachersDone)) return resumedTeacher(phase, planned, target, resume);
  if (saved?.has(index)) return saved.teacher(index, phase, planned);
  const reusable = cached.reusable[index];
  if (reusable) return cachedTeacher(phase, planned, reusable);
  const resumesHere = resume && restoring?.phase === 'teachers' && index === restoring.teachersDone;
  return trainedTeacher(phase, planned, { numClasses, cache, key: cached.keys[index]!, ...(resumesHere ? { resume } : {}) });
}

/** Predicted seconds of the run: teachers still to train and the students, or what a resumed run has left. */
function expectedSeconds(config: RunConfig, plan: RunPlan, costs: StepCosts, cached: CachedTeachers, resume: CheckpointTensors | null): number {
  const predicted = predictSeconds(plan, config, costs);
  if (resume) return remainingSeconds(resume.checkpoint, predicted, config);
  const trainable = plan.teachers.filter((t) => !t.savedModel);
  const toTrain = plan.teachers.filter((t, i) => !cached.reusable[i] && !t.savedModel).length / Math.max(1, trainable.length);
  return predicted.teachers * toTrain + predicted.students;
}

/** Saves a checkpoint after each epoch that has another after it, for methods that can resume. */
function checkpointSaver(config: RunConfig, plan: RunPlan, services: RunServices, teachers: readonly ReadyTeacher[], history: readonly EpochMetrics[], results: readonly ModelResult[]): PhaseContext['onEpochEnd'] {
  const { checkpoints } = services;
  if (!checkpoints || !resumable(config.method)) return undefined;
  return async (state: PhaseState) => {
    const finished = teachers.map((t, i) => ({ key: plan.teachers[i]!.key, net: t.net }));
    await checkpoints.save(await captureCheckpoint({ config, backend: checkpoints.backend, state, teachers: finished, history, results }));
  };
}

interface RunRelease {
  readonly plan: RunPlan;
  readonly teachers: readonly ReadyTeacher[];
  readonly students: readonly Learner[];
  readonly services: RunServices;
  readonly failed: boolean;
  readonly shelvedRun: ShelvedRun;
}

/** The run's networks go to the shelf (unless it failed); everything neither the shelf nor the cache keeps is freed. */
function releaseRun({ plan, teachers, students, services, failed, shelvedRun }: RunRelease): void {
  const { shelf, teacherCache } = services;
  if (shelf && !failed) {
    const infos = [...plan.teachers, ...plan.students];
    const nets = [...teachers.map((t) => t.net), ...students.map((s) => s.net)];
    shelf.keep(
      nets.map((net, i) => ({ key: infos[i]!.key, label: infos[i]!.label, net, owned: !teacherCache?.owns(net) })),
      shelvedRun,
    );
  }
  const outlivesRun = (net: Network) => Boolean(teacherCache?.owns(net) || shelf?.holds(net));
  for (const teacher of teachers) teacher.release(outlivesRun);
  // Nets held by the cache or the shelf outlive the run; their optimizer state and modules go.
  for (const student of students) (outlivesRun(student.net) ? disposeLearnerState : disposeLearner)(student);
}

/**
 * The training images, the hold-out and the test images. The subset is the first images of each class, class-balanced (the
 * same `subset` always means the same images); the hold-out is a seeded 10% of it that every learner's
 * batches, the teachers' cached logits and REFILLED's class centres leave out, because they all read `train`.
 */
export function runSources(config: RunConfig, plan: RunPlan, data: RunData): { train: BatchSource; holdout: BatchSource | null; test: BatchSource } {
  const test = new BatchSource(takeBalancedSubset(data.test, plan.testImages, data.numClasses), data.normalization);
  const subset = takeBalancedSubset(data.train, plan.trainImages + plan.holdoutImages, data.numClasses);
  if (plan.holdoutImages === 0) return { train: new BatchSource(subset, data.normalization), holdout: null, test };
  const { kept, held } = splitImages(subset, holdoutIndices(subset.labels, data.numClasses, plan.holdoutImages, config.seed));
  return { train: new BatchSource(kept, data.normalization), holdout: new BatchSource(held, data.normalization), test };
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
    await trainPhase(phase, { phase: 'students', learners: [student], teacherNets, epochs: stage.epochs, stageLabel: stage.label, earlyStage, cosineToTenth: stage.cosineToTenth, epochOffsets: { [student.info.key]: trained } });
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

/** Predicted seconds a resumed run has left: the phase's remaining epochs and what follows it. */
function remainingSeconds(checkpoint: RunCheckpoint, predicted: { teachers: number; students: number }, config: RunConfig): number {
  const { phase, epochsDone, teachersDone } = checkpoint;
  const teachersTotal = Math.max(1, teacherCount(config.method, config.methodParams));
  if (phase === 'students') return predicted.students * (1 - epochsDone / config.epochs);
  return predicted.teachers * (1 - (teachersDone + epochsDone / config.teacherEpochs) / teachersTotal) + predicted.students;
}
