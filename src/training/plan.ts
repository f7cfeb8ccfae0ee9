/**
 * What a run will train, decided from the config and the dataset before any tensor exists (pure): the
 * learners, the effective sizes after clamping, the seeds and the number of steps.
 */
import { savedTeacherSlots, type RunConfig } from '../config/runConfig';
import { holdoutCount } from '../core/holdout';
import { keyedRng } from '../core/random';
import { METHOD_CATALOG, defaultMethodParams, earlyStages, teacherCount, type MethodId } from '../contract/methodCatalog';
import { MODEL_CATALOG, type ModelId } from '../contract/modelCatalog';
import type { LearnerRole } from '../contract/protocol';

export interface PlannedLearner {
  readonly key: string;
  readonly role: LearnerRole;
  readonly label: string;
  readonly model: ModelId;
  readonly method: MethodId;
  /** Seed of the initial weights: the scratch baseline and the student share it, so they start equal. */
  readonly initSeed: number;
  /** A teacher loaded from a model saved in the browser (its id) instead of trained. */
  readonly savedModel?: string;
}

export interface RunPlan {
  readonly teachers: readonly PlannedLearner[];
  /** Trained together on the same batches: the scratch baseline, then the distilled student. */
  readonly students: readonly PlannedLearner[];
  /** Stages the distilled student trains alone before the main one (REFILLED's embedding stage). */
  readonly earlyStages: readonly { readonly id: string; readonly label: string; readonly epochs: number; readonly cosineToTenth: boolean }[];
  /** Images the models train on: the subset less the hold-out. */
  readonly trainImages: number;
  /** Images of the subset kept out of training (calibration is fitted on them); 0 when `holdout` is off. */
  readonly holdoutImages: number;
  readonly testImages: number;
  readonly batch: number;
  readonly stepsPerEpoch: number;
  readonly evalBatches: number;
  readonly notes: readonly string[];
}

/** A seed for one purpose, derived from the run seed (teachers get different ones from each other). */
export function derivedSeed(seed: number, purpose: string, index = 0): number {
  return keyedRng(seed, purpose, index).int(2 ** 31);
}

const ordinal = (n: number) => ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth'][n - 1] ?? `${n}th`;

export function planRun(config: RunConfig, dataset: { trainCount: number; testCount: number }): RunPlan {
  const notes: string[] = [];
  const subsetImages = Math.min(config.subset, dataset.trainCount);
  if (subsetImages < config.subset) notes.push(`subset: the dataset has ${dataset.trainCount} training images; using all of them.`);
  // `holdout` is absent from configs saved before it existed (a resumed old checkpoint): nothing held out.
  const holdoutImages = holdoutCount(subsetImages, config.holdout === true);
  const trainImages = subsetImages - holdoutImages;
  const testImages = Math.min(config.testSubset, dataset.testCount);
  if (testImages < config.testSubset) notes.push(`testSubset: the dataset has ${dataset.testCount} test images; using all of them.`);
  const batch = Math.min(config.batch, trainImages);
  if (batch < config.batch) notes.push(`batch: only ${trainImages} training images, so batches of ${batch}.`);

  const spec = METHOD_CATALOG[config.method];
  const teacherTotal = teacherCount(config.method, config.methodParams);
  const savedSlots = savedTeacherSlots(config.savedTeacher);
  if (teacherTotal > 0 && savedSlots.length > teacherTotal) notes.push(`savedTeacher names ${savedSlots.length} teachers, but ${spec.label} distils from ${teacherTotal}: the saved models after the ${ordinal(teacherTotal)} are not used.`);
  const teachers = Array.from({ length: teacherTotal }, (_, i): PlannedLearner => {
    // A saved model stands in for each teacher its slot names; the others are trained as usual.
    const saved = savedSlots[i] || undefined;
    const name = `${saved ? 'Saved teacher' : 'Teacher'}${teacherTotal > 1 ? ` ${i + 1}` : ''} (${MODEL_CATALOG[config.teacher].label})`;
    return { key: `teacher${i}`, role: 'teacher', label: name, model: config.teacher, method: 'scratch', initSeed: derivedSeed(config.seed, 'teacher', i), ...(saved ? { savedModel: saved } : {}) };
  });
  const studentSeed = derivedSeed(config.seed, 'student');
  const studentLabel = MODEL_CATALOG[config.student].label;
  const scratch: PlannedLearner = { key: 'scratch', role: 'scratch', label: `Scratch student (${studentLabel})`, model: config.student, method: 'scratch', initSeed: studentSeed };
  const distilled: PlannedLearner = { key: 'student', role: 'student', label: `${spec.label} student (${studentLabel})`, model: config.student, method: config.method, initSeed: studentSeed };

  if (spec.needs.teacherLogitsOnly && !config.augment) notes.push('No augmentation: the teachers\u2019 logits are computed once for the training subset and reused every step.');
  if (spec.needs.dataFree) notes.push('Data-free: the student learns only from generated images; the scratch baseline trains on the real subset for comparison.');
  return {
    teachers,
    students: config.method === 'scratch' ? [scratch] : [scratch, distilled],
    earlyStages: earlyStages(config.method, { ...defaultMethodParams(config.method), ...config.methodParams }),
    trainImages,
    holdoutImages,
    testImages,
    batch,
    // The last incomplete batch is dropped, as in CA-MKD: fixed shapes, and the shuffle covers it over epochs.
    stepsPerEpoch: Math.floor(trainImages / batch),
    evalBatches: Math.ceil(testImages / batch),
    notes,
  };
}

/** Measured seconds per training step of each learner key, and per evaluation batch of each model. */
export interface StepCosts {
  readonly trainStep: Readonly<Record<string, number>>;
  readonly evalBatch: Readonly<Record<string, number>>;
}

/** Predicted seconds of each phase from measured step costs. */
export function predictSeconds(plan: RunPlan, config: RunConfig, costs: StepCosts): { teachers: number; students: number } {
  const epochCost = (learners: readonly PlannedLearner[]) =>
    learners.reduce((sum, l) => sum + plan.stepsPerEpoch * (costs.trainStep[l.key] ?? 0) + plan.evalBatches * (costs.evalBatch[l.key] ?? 0), 0);
  const earlyEpochs = plan.earlyStages.reduce((sum, stage) => sum + stage.epochs, 0);
  return {
    teachers: config.teacherEpochs * epochCost(plan.teachers.filter((t) => !t.savedModel)),
    students: config.epochs * epochCost(plan.students) + earlyEpochs * epochCost(plan.students.slice(-1)),
  };
}
