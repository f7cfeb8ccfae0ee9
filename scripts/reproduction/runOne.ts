/**
 * One page run of the reproduction: the page's runExperiment with the ready teacher as its saved teacher, a
 * checkpoint file after each epoch (the page's RunCheckpoint), resumed from that file when it exists, and the
 * run bundle written (and the checkpoint deleted) when it finishes, with its trained models when asked.
 */
import { randomUUID } from 'node:crypto';
import type { EpochMetrics, ModelResult, RunPlanSummary } from '../../src/contract/protocol';
import { runExperiment, type RunData, type RunEvents } from '../../src/training/run';
import type { RunControl } from '../../src/training/runControl';
import type { SavedTeacherLoader } from '../../src/training/teacherSources';
import { ModelShelf } from '../../src/training/modelShelf';
import { measureStepCosts } from '../../src/training/stepCosts';
import { writeRunBundle } from './bundle';
import { deleteCheckpointFile, writeCheckpointFile, type StoredCheckpoint } from './checkpointFile';
import { writeKeptModels } from './keptModels';
import type { PlannedRun } from './recipe';

export interface RunEnvironment {
  readonly data: RunData;
  readonly loadSavedTeacher: SavedTeacherLoader;
  readonly backend: string;
  /** "Node v22.1.0, npm run reproduce": recorded in the bundle where the page records its GPU adapter. */
  readonly runner: string;
  readonly log: (line: string) => void;
  /** The reproduction's out folder, when each finished run's models are kept there (`--keep-models on`). */
  readonly keepModelsIn?: string;
}

export type RunEnd = { readonly finished: true; readonly seconds: number; readonly results: readonly ModelResult[] } | { readonly finished: false };

const percent = (x: number) => `${(100 * x).toFixed(2)}%`;

/** Prints one line per learner and epoch, with the seconds that epoch took (the page's phase clock). */
function epochPrinter(run: PlannedRun, log: (line: string) => void): (metrics: EpochMetrics, replayed: boolean) => void {
  const lastSeconds = new Map<string, number>();
  return (m, replayed) => {
    const seconds = m.seconds - (lastSeconds.get(m.learner) ?? 0);
    lastSeconds.set(m.learner, m.seconds);
    const where = replayed ? '  (from the checkpoint)' : '';
    log(`${run.name}  ${m.learner.padEnd(8)} epoch ${String(m.epoch).padStart(2)}/${run.config.epochs}  test accuracy ${percent(m.testAccuracy)}  ECE ${m.ece.toFixed(4)}  ${seconds.toFixed(1)} s${where}`);
  };
}

/**
 * Trains `run` (from `resume` when given) until it finishes or `control` stops it; a stopped run keeps its
 * last checkpoint file, so the next call resumes it.
 */
export async function trainRun(run: PlannedRun, env: RunEnvironment, control: RunControl, resume: StoredCheckpoint | undefined): Promise<RunEnd> {
  const config = resume?.checkpoint.config ?? run.config;
  const sessionStart = performance.now();
  const wallSeconds = () => (resume?.wallSeconds ?? 0) + (performance.now() - sessionStart) / 1000;
  const epochs: EpochMetrics[] = [];
  let learners: RunPlanSummary['learners'] = [];
  const printEpoch = epochPrinter(run, env.log);
  const events: RunEvents = {
    started: (plan) => {
      learners = plan.learners;
      if (!resume) env.log(`${run.name}  ${plan.trainImages} training images (${plan.holdoutImages ?? 0} more held out), ${plan.testImages} test images, ${plan.stepsPerEpoch} steps per epoch`);
    },
    progress() {},
    epoch: (metrics) => {
      // A resumed run hears its earlier epochs again first, from the checkpoint: kept for the bundle, marked.
      epochs.push(metrics);
      printEpoch(metrics, resume?.checkpoint.history.includes(metrics) ?? false);
    },
    learnerDone: (result) => {
      if (result.learner.role === 'teacher') env.log(`${run.name}  ${result.learner.key.padEnd(8)} evaluated, not trained: test accuracy ${percent(result.lastAccuracy)}  ECE ${result.ece.toFixed(4)}`);
    },
  };
  const shelf = env.keepModelsIn === undefined ? undefined : new ModelShelf();
  const outcome = await runExperiment(config, env.data, control, events, {
    ...(shelf ? { shelf } : {}),
    measureCosts: (plan, train, test) => measureStepCosts(plan, config, train, test, env.data.numClasses),
    loadSavedTeacher: env.loadSavedTeacher,
    checkpoints: { backend: env.backend, save: async (checkpoint) => writeCheckpointFile(run.checkpointFile, { checkpoint, wallSeconds: wallSeconds() }) },
    ...(resume ? { resume: resume.checkpoint } : {}),
  });
  if (outcome.stopped) {
    shelf?.clear();
    return { finished: false };
  }
  const seconds = wallSeconds();
  if (shelf) {
    const files = await writeKeptModels(shelf, env.keepModelsIn!, run.name, config.dataset);
    shelf.clear();
    env.log(`${run.name}  kept its models: ${files.join(', ')}`);
  }
  writeRunBundle(run.bundleFile, { config, learners, epochs, results: outcome.results, seconds, backend: env.backend, runner: env.runner, id: randomUUID(), finishedAt: Date.now() });
  deleteCheckpointFile(run.checkpointFile);
  return { finished: true, seconds, results: outcome.results };
}
