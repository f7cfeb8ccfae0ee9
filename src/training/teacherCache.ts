/**
 * Teachers trained earlier in this session, kept on the backend so later runs with the same teacher
 * settings distil from them instead of training them again ("train a teacher once, distil many students").
 * The cache owns what it holds and disposes what it evicts.
 */
import type { RunConfig } from '../config/runConfig';
import type { Network } from '../models/network';
import type { ModelResult } from '../contract/protocol';
import type { PlannedLearner, RunPlan } from './plan';

export interface CachedTeacher {
  readonly net: Network;
  readonly result: ModelResult;
}

/** Everything that determines a trained teacher: same key, same weights. */
export function teacherKey(config: RunConfig, plan: RunPlan, teacher: PlannedLearner): string {
  const { dataset, teacherEpochs, lr, schedule, momentum, weightDecay, nesterov, augment, seed } = config;
  // Milestones count in the student epochs and scale to the teacher's, so `epochs` matters with them.
  const stepDecay = schedule === 'step' ? [config.milestones, config.decay, config.milestones === '' ? null : config.epochs] : null;
  return JSON.stringify([dataset, teacher.model, teacher.initSeed, teacherEpochs, plan.trainImages, plan.holdoutImages, plan.batch, lr, schedule, stepDecay, momentum, weightDecay, nesterov, augment, seed]);
}

export class TeacherCache {
  readonly #entries = new Map<string, CachedTeacher>();

  constructor(private readonly capacity = 6) {}

  get(key: string): CachedTeacher | undefined {
    const entry = this.#entries.get(key);
    if (entry) {
      // Most recently used last, so eviction drops the oldest.
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry;
  }

  put(key: string, entry: CachedTeacher): void {
    this.#entries.get(key)?.net.dispose();
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > this.capacity) {
      const [oldest, value] = this.#entries.entries().next().value as [string, CachedTeacher];
      value.net.dispose();
      this.#entries.delete(oldest);
    }
  }

  /** True while a net is held here (a run must then not dispose it). */
  owns(net: Network): boolean {
    for (const entry of this.#entries.values()) if (entry.net === net) return true;
    return false;
  }

  clear(): void {
    for (const entry of this.#entries.values()) entry.net.dispose();
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
