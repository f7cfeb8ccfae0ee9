/**
 * The live training curves: every learner's batch loss and the distilled student's method diagnostics, by
 * training images seen. The series grow in place (a long run has many points); `version` tells the panels
 * when they changed.
 */
import type { LearnerProgress } from '../contract/protocol';

/** Points by series name (x = training images seen). */
export type PointSeries = Record<string, { x: number[]; y: number[] }>;

function appendPoint(series: PointSeries, key: string, x: number, y: number): void {
  const points = (series[key] ??= { x: [], y: [] });
  points.x.push(x);
  points.y.push(y);
}

export class Curves {
  /** Batch loss by learner key. */
  readonly loss: PointSeries = {};
  /** Per-batch diagnostics of the distilled student's method (e.g. teacher weights), by name. */
  readonly diagnostics: PointSeries = {};
  version = $state(0);

  /** One progress report's latest batch of every learner. */
  add(losses: Readonly<Record<string, LearnerProgress>>): void {
    for (const [key, { loss, imagesSeen, diagnostics }] of Object.entries(losses)) {
      appendPoint(this.loss, key, imagesSeen, loss);
      for (const [name, value] of Object.entries(diagnostics)) appendPoint(this.diagnostics, name, imagesSeen, value);
    }
    this.version++;
  }

  clear(): void {
    for (const series of [this.loss, this.diagnostics]) for (const key of Object.keys(series)) delete series[key];
    this.version++;
  }
}
