/**
 * Where a run's teachers come from, one strategy each: restored from the checkpoint being resumed, a model
 * saved in the browser, a teacher trained earlier in this session (the cache), or trained here. Each hands
 * back a ready teacher whose network it owns until the run releases it, so the run never has to remember
 * which network came from where.
 */
import type { ModelResult } from '../contract/protocol';
import type { Normalization } from '../data/batches';
import type { Network } from '../models/network';
import { buildNetwork } from '../models/zoo';
import { withInputNormalization } from '../models/inputNormalization';
import type { CheckpointTensors } from '../storage/worker/checkpoint';
import { evaluate, evaluateLogits } from './evaluate';
import { createLearner, disposeLearner, disposeLearnerState } from './learners';
import { trainPhase, type PhaseContext } from './phase';
import type { PlannedLearner, RunPlan } from './plan';
import type { CachedTeacher, TeacherCache } from './teacherCache';

/** A teacher the students can learn from. */
export interface ReadyTeacher {
  readonly net: Network;
  /**
   * Frees what the run holds of the teacher once the run ends. `outlivesRun(net)`: the network is kept past
   * the run (by the teacher cache or the model shelf), so only what trained it goes.
   */
  release(outlivesRun: (net: Network) => boolean): void;
}

/** What a saved teacher must fit: the dataset's class count, and the normalisation of the inputs it will get. */
export interface SavedTeacherTarget {
  readonly numClasses: number;
  /** The dataset's: a teacher trained with other constants re-normalises these inputs to its own. */
  readonly normalization: Normalization;
}

/** Loads a model saved in the browser as a teacher; the caller owns the network. */
export type SavedTeacherLoader = (id: string, planned: PlannedLearner, target: SavedTeacherTarget) => Promise<Network>;

function report(phase: PhaseContext, result: ModelResult): void {
  phase.results.push(result);
  phase.events.learnerDone(result);
}

/** A network the run owns outright (restored or loaded): disposed at the end unless kept past the run. */
function ownedNetwork(net: Network): ReadyTeacher {
  return {
    net,
    release: (outlivesRun) => {
      if (!outlivesRun(net)) net.dispose();
    },
  };
}

/** Finished before the checkpoint: its weights, its input normalisation and its result come back as they were. */
export function resumedTeacher(phase: PhaseContext, planned: PlannedLearner, { numClasses, normalization }: SavedTeacherTarget, resume: CheckpointTensors): ReadyTeacher {
  const zooNet = buildNetwork(planned.model, { numClasses, name: planned.key, seed: planned.initSeed });
  const net = withInputNormalization(zooNet, normalization, resume.checkpoint.teacherNormalization?.[planned.key]);
  try {
    resume.restoreNet(planned.key, net);
    report(phase, resume.result(planned.key));
  } catch (error) {
    net.dispose();
    throw error;
  }
  return ownedNetwork(net);
}

/** Saved models a run's plan names, loaded before the warm-up so a missing or mismatched one fails early. */
export class SavedTeachers {
  readonly #nets: (Network | null)[];

  private constructor(nets: (Network | null)[]) {
    this.#nets = nets;
  }

  static async load(plan: RunPlan, loader: SavedTeacherLoader | undefined, target: SavedTeacherTarget): Promise<SavedTeachers> {
    const saved = new SavedTeachers([]);
    try {
      for (const planned of plan.teachers) {
        if (planned.savedModel && !loader) throw new Error('Saved models cannot be loaded here.');
        saved.#nets.push(planned.savedModel ? await loader!(planned.savedModel, planned, target) : null);
      }
    } catch (error) {
      saved.dispose();
      throw error;
    }
    return saved;
  }

  has(index: number): boolean {
    return Boolean(this.#nets[index]);
  }

  /** The teacher's row: evaluated on this run's test subset (and hold-out), never trained here. Takes the network. */
  async teacher(index: number, phase: PhaseContext, planned: PlannedLearner): Promise<ReadyTeacher> {
    const net = this.#nets[index]!;
    this.#nets[index] = null;
    const ready = ownedNetwork(net);
    try {
      report(phase, await savedTeacherResult(net, planned, phase));
    } catch (error) {
      net.dispose();
      throw error;
    }
    return ready;
  }

  /** Disposes the networks no teacher took (the run ended before their turn). */
  dispose(): void {
    for (const net of this.#nets) net?.dispose();
    this.#nets.length = 0;
  }
}

async function savedTeacherResult(net: Network, planned: PlannedLearner, { test, holdout, plan }: PhaseContext): Promise<ModelResult> {
  const evaluation = await evaluate(net, test, plan.batch, planned.label);
  const heldOut = holdout ? await evaluateLogits(net, holdout, plan.batch, planned.label) : null;
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

/** Trained earlier in this session with the same settings: reused as it was. The cache keeps owning it. */
export function cachedTeacher(phase: PhaseContext, planned: PlannedLearner, cached: CachedTeacher): ReadyTeacher {
  report(phase, { ...cached.result, learner: { ...cached.result.learner, key: planned.key, label: planned.label }, reused: true });
  return { net: cached.net, release: () => undefined };
}

export interface TrainedTeacherOptions {
  readonly numClasses: number;
  /** Where a finished teacher is kept for later runs, under `key`. */
  readonly cache?: TeacherCache;
  readonly key: string;
  /** The checkpoint this teacher's training continues from, when the resumed run stopped inside it. */
  readonly resume?: CheckpointTensors;
}

/** Trained here with cross-entropy; its phase posts its result. Kept in the session's cache when there is one. */
export async function trainedTeacher(phase: PhaseContext, planned: PlannedLearner, options: TrainedTeacherOptions): Promise<ReadyTeacher> {
  const teacher = createLearner(planned, phase.config, { numClasses: options.numClasses, imageSide: phase.train.set.side });
  try {
    const resumeAt = options.resume?.resumePhase([teacher]);
    await trainPhase(phase, { phase: 'teachers', learners: [teacher], teacherNets: [], epochs: phase.config.teacherEpochs, resumeAt });
  } catch (error) {
    disposeLearner(teacher); // stopped or failed before it finished: nothing keeps it
    throw error;
  }
  options.cache?.put(options.key, { net: teacher.net, result: phase.results[phase.results.length - 1]! });
  return {
    net: teacher.net,
    // Its optimizer state and modules go with the run; the network too unless the cache or the shelf keeps it.
    release: (outlivesRun) => (outlivesRun(teacher.net) ? disposeLearnerState(teacher) : disposeLearner(teacher)),
  };
}
