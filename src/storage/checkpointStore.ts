/**
 * The last unfinished run's checkpoint, kept in the browser (IndexedDB through idb) so a reload or a lost
 * GPU device costs at most one epoch. One slot: a new run replaces it, a finished run clears it. The worker
 * writes and reads it; the page only reads its summary (to offer Resume) and discards it. No tfjs.
 */
import { openDB, type DBSchema } from 'idb';
import { withBrowserDatabase } from './browserDatabase';
import { withScheduleDefaults, type RunConfig } from '../config/runConfig';
import type { EpochMetrics, ModelResult } from '../contract/protocol';
import type { InputNormalization } from '../contract/modelFile';

/** One tensor in `weights`, in order (tfjs's weights-manifest entry for float32). */
export interface CheckpointTensorSpec {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: 'float32';
}

/** What the page shows before resuming. */
export interface CheckpointSummary {
  readonly config: RunConfig;
  /** Epoch milliseconds. */
  readonly savedAt: number;
  readonly backend: string;
  /** The phase in progress and how far it got: "Students: epoch 3 of 8 done". */
  readonly phase: 'teachers' | 'students';
  /** Teachers finished before this phase (in the teachers phase, the index of the one training). */
  readonly teachersDone: number;
  readonly epochsDone: number;
  readonly epochs: number;
}

export interface RunCheckpoint extends CheckpointSummary {
  /** Every learner's every epoch so far, and the results of the models finished so far. */
  readonly history: readonly EpochMetrics[];
  readonly results: readonly ModelResult[];
  /** Every variable of every network, optimizer and method module, keyed `learner/part/name`. */
  readonly specs: readonly CheckpointTensorSpec[];
  readonly weights: ArrayBuffer;
  /** By teacher key: the input normalisation of a finished teacher trained with other constants than the dataset's. */
  readonly teacherNormalization?: Readonly<Record<string, InputNormalization>>;
  /** By learner key: the training forwards of a network that counts them (REFILLED-WRN's dropout masks). */
  readonly trainingPasses?: Readonly<Record<string, number>>;
}

interface CheckpointSchema extends DBSchema {
  checkpoints: { key: string; value: RunCheckpoint };
}

const DATABASE = 'distillery-checkpoints';
const SLOT = 'latest';

function open(name: string) {
  return openDB<CheckpointSchema>(name, 1, {
    upgrade(db) {
      db.createObjectStore('checkpoints');
    },
  });
}

function withDatabase<T>(use: (db: Awaited<ReturnType<typeof open>>) => Promise<T>, name = DATABASE): Promise<T> {
  return withBrowserDatabase(() => open(name), 'runs cannot be resumed', use);
}

export function saveCheckpoint(checkpoint: RunCheckpoint, database?: string): Promise<void> {
  return withDatabase(async (db) => void (await db.put('checkpoints', checkpoint, SLOT)), database);
}

/** The checkpoint, its config read as today's code reads it (settings newer than it at their old meaning). */
export async function loadCheckpoint(database?: string): Promise<RunCheckpoint | undefined> {
  const checkpoint = await withDatabase((db) => db.get('checkpoints', SLOT), database);
  return checkpoint && { ...checkpoint, config: withScheduleDefaults(checkpoint.config) };
}

/** The checkpoint without its tensors and curves, or undefined when there is none. */
export async function checkpointSummary(database?: string): Promise<CheckpointSummary | undefined> {
  const checkpoint = await loadCheckpoint(database);
  if (!checkpoint) return undefined;
  const { config, savedAt, backend, phase, teachersDone, epochsDone, epochs } = checkpoint;
  return { config, savedAt, backend, phase, teachersDone, epochsDone, epochs };
}

export function clearCheckpoint(database?: string): Promise<void> {
  return withDatabase((db) => db.delete('checkpoints', SLOT), database);
}
