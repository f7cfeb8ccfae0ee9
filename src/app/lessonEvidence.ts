/** The finished run on the page as the lesson judges read it (null while none has finished). */
import type { Trainer } from '../client/trainer.svelte';
import type { TsneReadings } from '../client/tsneReadings.svelte';
import type { RunEvidence } from '../lessons/judges';

export function lessonEvidence(trainer: Trainer, readings: TsneReadings): RunEvidence | null {
  const config = trainer.runConfig;
  if (trainer.status !== 'done' || !config || trainer.results.length === 0) return null;
  const teacher = trainer.results.find((r) => r.learner.role === 'teacher');
  return {
    method: config.method,
    seed: config.seed,
    results: trainer.results,
    epochs: trainer.epochs,
    classNames: trainer.dataset?.classNames ?? [],
    silhouettes: readings.for(teacher?.testLogits),
  };
}
