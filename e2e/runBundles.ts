/** Run bundles as another browser would export them, built in the test (no training). */
import { DEFAULT_CONFIG } from '../src/config/fields';

const LEARNERS = [
  { key: 'teacher0', role: 'teacher', label: 'Teacher (Tiny CNN)', model: 'tiny-cnn', method: 'scratch' },
  { key: 'scratch', role: 'scratch', label: 'Scratch student', model: 'tiny-cnn', method: 'scratch' },
  { key: 'student', role: 'student', label: 'Hinton KD student', model: 'tiny-cnn', method: 'kd' },
] as const;

/** Three epochs of each learner, with made-up but plausible numbers. */
export const BUNDLE_EPOCHS = LEARNERS.flatMap((l, i) =>
  [1, 2, 3].map((epoch) => ({
    learner: l.key, epoch, lr: 0.05, trainLoss: 2 - epoch / 3, terms: l.role === 'student' ? { ce: 1.2, kd: 0.6 } : { ce: 1.8 }, diagnostics: {},
    trainAccuracy: 0.2 + epoch / 10, testAccuracy: 0.15 + epoch / 10 + i / 20, testNll: 1.9, ece: 0.04, seconds: epoch * 3,
  })),
);

/** A bundle as another browser would export it. */
export function bundle(name: string, config: Record<string, unknown> = {}) {
  return {
    format: 'distillery-run-bundle',
    version: 1,
    exportedAt: '2025-06-01T12:00:00.000Z',
    run: {
      name,
      config: { ...DEFAULT_CONFIG, teacher: 'tiny-cnn', student: 'tiny-cnn', epochs: 3, teacherEpochs: 3, subset: 128, testSubset: 128, methodParams: { ...DEFAULT_CONFIG.methodParams }, ...config },
      finishedAt: Date.UTC(2025, 5, 1, 11, 58),
      seconds: 27,
      backend: 'webgpu',
      adapter: 'Colleague GPU',
      stopped: false,
      learners: LEARNERS,
      epochs: BUNDLE_EPOCHS,
      results: LEARNERS.map((l, i) => ({ key: l.key, label: l.label, role: l.role, bestAccuracy: 0.45 + i / 20, bestEpoch: 3, lastAccuracy: 0.45 + i / 20, ece: 0.04, nll: 1.9, epochs: 3, reused: false })),
    },
  };
}
