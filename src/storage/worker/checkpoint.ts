/**
 * Checkpoints: after each epoch, every variable the rest of the run depends on (finished teachers'
 * weights; the training learners' weights, BatchNorm statistics, momentum buffers and method modules) plus
 * the metrics so far. Every random draw is keyed by (seed, purpose, epoch, step), so a run restored from
 * here continues exactly as it would have. Methods with state outside these variables (stages, a
 * generator with its own optimizer) do not checkpoint.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../config/runConfig';
import type { CheckpointTensorSpec, RunCheckpoint } from '../checkpointStore';
import { METHOD_CATALOG, type MethodId } from '../../contract/methodCatalog';
import type { Network } from '../../models/network';
import { isRenormalized } from '../../models/inputNormalization';
import { encodeFloat32 } from '../../models/networkWeights';
import type { EpochMetrics, ModelResult } from '../../contract/protocol';
import type { Learner } from '../../training/learner';
import type { PhaseSpec, PhaseState } from '../../training/phase';

/** Whether a run of this method can be checkpointed and resumed. */
export function resumable(method: MethodId): boolean {
  const { needs } = METHOD_CATALOG[method];
  return !needs.stages && !needs.dataFree;
}

type Named = { name: string; tensor: tf.Tensor };

function netTensors(key: string, net: Network): Named[] {
  return [...net.params.named].map(([name, tensor]) => ({ name: `${key}/net/${name}`, tensor }));
}

function learnerTensors(learner: Learner): Named[] {
  const key = learner.info.key;
  return [
    ...netTensors(key, learner.net),
    ...learner.optimizer.velocities.map((tensor, i) => ({ name: `${key}/momentum/${i}`, tensor })),
    ...[...(learner.moduleStore?.named ?? [])].map(([name, tensor]) => ({ name: `${key}/modules/${name}`, tensor })),
  ];
}

export interface CheckpointInputs {
  readonly config: RunConfig;
  readonly backend: string;
  readonly state: PhaseState;
  /** Teachers finished before this phase, by learner key. */
  readonly teachers: readonly { readonly key: string; readonly net: Network }[];
  readonly history: readonly EpochMetrics[];
  readonly results: readonly ModelResult[];
}

export async function captureCheckpoint({ config, backend, state, teachers, history, results }: CheckpointInputs): Promise<RunCheckpoint> {
  const named = [...teachers.flatMap((t) => netTensors(t.key, t.net)), ...state.learners.flatMap(learnerTensors)];
  const { specs, weights } = await encodeFloat32(named);
  // A saved teacher's own input constants (its wrapper is not a variable): a resumed run wraps it again.
  const renormalized = teachers.flatMap((t) => (isRenormalized(t.net) ? [[t.key, t.net.inputNormalization] as const] : []));
  const passes = state.learners.flatMap((l) => (l.net.trainingPasses ? [[l.info.key, l.net.trainingPasses.count] as const] : []));
  return {
    config,
    savedAt: Date.now(),
    backend,
    phase: state.phase,
    teachersDone: teachers.length,
    epochsDone: state.epochsDone,
    epochs: state.epochs,
    history: [...history],
    results: [...results],
    specs: specs.map((s): CheckpointTensorSpec => ({ ...s, shape: [...s.shape] })),
    weights,
    ...(renormalized.length > 0 ? { teacherNormalization: Object.fromEntries(renormalized) } : {}),
    ...(passes.length > 0 ? { trainingPasses: Object.fromEntries(passes) } : {}),
  };
}

/** A checkpoint's tensors, decoded once, restoring networks and learners by key. */
export class CheckpointTensors {
  readonly #tensors: tf.NamedTensorMap;

  constructor(readonly checkpoint: RunCheckpoint) {
    this.#tensors = tf.io.decodeWeights(checkpoint.weights, checkpoint.specs.map((s) => ({ ...s, shape: [...s.shape] })));
  }

  restoreNet(key: string, net: Network): void {
    for (const [name, variable] of net.params.named) variable.assign(this.#get(`${key}/net/${name}`, variable.shape));
  }

  restoreLearner(learner: Learner): void {
    const key = learner.info.key;
    this.restoreNet(key, learner.net);
    learner.optimizer.velocities.forEach((velocity, i) => velocity.assign(this.#get(`${key}/momentum/${i}`, velocity.shape)));
    for (const [name, variable] of learner.moduleStore?.named ?? []) variable.assign(this.#get(`${key}/modules/${name}`, variable.shape));
    if (learner.net.trainingPasses) learner.net.trainingPasses.restore(this.#passes(key));
  }

  /** Restores learners to where the checkpoint left their phase; the phase continues after its epochs. */
  resumePhase(learners: readonly Learner[]): PhaseSpec['resumeAt'] {
    for (const learner of learners) this.restoreLearner(learner);
    return { epochsDone: this.checkpoint.epochsDone, history: Object.fromEntries(learners.map((l) => [l.info.key, this.history(l.info.key)])) };
  }

  /** The metrics of one learner's epochs already trained. */
  history(key: string): EpochMetrics[] {
    return this.checkpoint.history.filter((m) => m.learner === key);
  }

  result(key: string): ModelResult {
    const result = this.checkpoint.results.find((r) => r.learner.key === key);
    if (!result) throw new Error(`The checkpoint has no result for "${key}": it belongs to another run.`);
    return result;
  }

  #passes(key: string): number {
    const count = this.checkpoint.trainingPasses?.[key];
    // Checkpoints from before the count was kept: resuming would draw other dropout masks than the run that never stopped.
    if (typeof count !== 'number') throw new Error(`The checkpoint does not fit this run ("${key}" has no training pass count); start the run again.`);
    return count;
  }

  #get(name: string, shape: readonly number[]): tf.Tensor {
    const tensor = this.#tensors[name];
    if (!tensor || tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
      throw new Error(`The checkpoint does not fit this run (${tensor ? `"${name}" has another shape` : `"${name}" is missing`}); start the run again.`);
    }
    return tensor;
  }

  dispose(): void {
    tf.dispose(Object.values(this.#tensors));
  }
}
