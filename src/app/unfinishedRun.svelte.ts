/**
 * The run a reload, a crash or a lost GPU device interrupted: its checkpoint's summary, so the page can
 * offer to resume it where it stopped (at most one epoch is lost) or discard it.
 */
import { checkpointSummary, clearCheckpoint, type CheckpointSummary } from '../storage/checkpointStore';

export class UnfinishedRun {
  summary = $state.raw<CheckpointSummary | null>(null);
  error = $state<string | null>(null);

  constructor() {
    void this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      this.summary = (await checkpointSummary()) ?? null;
    } catch (error) {
      this.summary = null;
      this.error = error instanceof Error ? error.message : String(error);
    }
  }

  /** A new run replaces the checkpoint (the worker clears it); the offer goes with it. */
  forget(): void {
    this.summary = null;
  }

  async discard(): Promise<void> {
    this.summary = null;
    await clearCheckpoint().catch(() => {});
  }
}
