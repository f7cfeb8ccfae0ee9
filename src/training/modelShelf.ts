/**
 * The last run's trained networks, kept after it ends so the page can inspect them (relevance, x*, t-SNE
 * of responses), until the next run, a backend switch or a new dataset replaces them. Nets the teacher
 * cache holds are borrowed, not owned: the cache disposes those.
 */
import { BatchSource, type Normalization } from '../data/batches';
import type { LabeledImages } from '../data/cifarBinary';
import type { Network } from '../models/network';
import type { InspectedModel, InspectionContext } from './inspect';

export interface ShelvedModel extends InspectedModel {
  readonly owned: boolean;
}

export interface ShelvedRun {
  readonly test: LabeledImages;
  readonly normalization: Normalization;
  readonly batch: number;
}

export class ModelShelf {
  #models: ShelvedModel[] = [];
  #run: ShelvedRun | null = null;

  /** Replaces what the shelf holds (disposing the nets it owned). */
  keep(models: readonly ShelvedModel[], run: ShelvedRun): void {
    this.clear();
    this.#models = [...models];
    this.#run = run;
  }

  clear(): void {
    for (const model of this.#models) if (model.owned) model.net.dispose();
    this.#models = [];
    this.#run = null;
  }

  /** Whether the shelf holds `net` (so a run's cleanup must not dispose it). */
  holds(net: Network): boolean {
    return this.#models.some((m) => m.net === net);
  }

  /** Runs `use` with the inspection context (its test source is disposed afterwards). */
  async with<T>(use: (context: InspectionContext) => Promise<T>): Promise<T> {
    const run = this.#run;
    if (!run || this.#models.length === 0) throw new Error('There is no trained model to inspect yet: train one first.');
    const test = new BatchSource(run.test, run.normalization);
    try {
      return await use({ models: this.#models, test, normalization: run.normalization, batch: run.batch });
    } finally {
      test.dispose();
    }
  }
}
