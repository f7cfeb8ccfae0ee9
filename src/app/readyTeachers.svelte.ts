/**
 * The ready teachers as the page sees them: the manifest's list, and installing one into the saved models
 * (fetched, checked against the manifest, read by the worker as any PyTorch import, kept under the id its
 * bytes give it) when the settings name it and this browser does not have it yet.
 */
import { savedTeacherSlots } from '../config/runConfig';
import type { ReadyTeacher } from '../contract/readyTeachers';
import { fetchReadyTeacherFile, fetchReadyTeachers } from '../client/readyTeachers';
import type { SavedModels } from './savedModels.svelte';

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class ReadyTeachers {
  list = $state.raw<readonly ReadyTeacher[]>([]);
  /** False until the manifest has answered (or failed): until then a named saved model may be a ready one. */
  listed = $state(false);
  /** The savedModelId being fetched and kept, if any. */
  installing = $state<string | null>(null);
  /** Why the list or the last install failed, for the settings panel. */
  error = $state<string | null>(null);
  /** An id whose install failed: not retried on its own (picking it again retries). */
  #failed = $state<string | null>(null);

  constructor(private readonly models: SavedModels) {
    fetchReadyTeachers().then(
      (list) => (this.list = list),
      (error: unknown) => (this.error = messageOf(error)),
    ).finally(() => (this.listed = true));
  }

  find(savedModelId: string): ReadyTeacher | undefined {
    return this.list.find((t) => t.savedModelId === savedModelId);
  }

  #kept(savedModelId: string): boolean {
    return this.models.list.some((m) => m.id === savedModelId);
  }

  /** True while a run naming these saved teachers (`savedTeacher`, by slot) must wait: one may be, or is, a ready one not yet kept here. */
  waitsFor(savedTeacher: string): boolean {
    return savedTeacherSlots(savedTeacher).some((id) => this.#waitsForOne(id));
  }

  #waitsForOne(id: string): boolean {
    if (id === '' || (this.models.loaded && this.#kept(id))) return false;
    if (!this.listed || !this.models.loaded) return true;
    return this.#installable(id);
  }

  /** A ready teacher not kept here whose install has not failed. */
  #installable(id: string): boolean {
    return id !== '' && this.find(id) !== undefined && !this.#kept(id) && this.#failed !== id;
  }

  /** The first ready teacher `savedTeacher` names that this browser lacks, when nothing is fetching: the one to install next. */
  nextInstall(savedTeacher: string): string | null {
    if (!this.models.loaded || this.installing !== null) return null;
    return savedTeacherSlots(savedTeacher).find((id) => this.#installable(id)) ?? null;
  }

  /** The person picked it: a failed install may be tried again. */
  picked(savedModelId: string): void {
    if (this.#failed === savedModelId) this.#failed = null;
    this.error = null;
  }

  async install(savedModelId: string, datasetClassNames: readonly string[]): Promise<void> {
    const teacher = this.find(savedModelId);
    if (!teacher || this.installing !== null) return;
    this.installing = savedModelId;
    this.error = null;
    try {
      const preview = await this.models.readTorchFile(await fetchReadyTeacherFile(teacher));
      if (preview.model !== teacher.model) throw new Error(`the file holds a ${preview.model}, the manifest says ${teacher.model}`);
      await this.models.keepReadyTeacher(preview, teacher, datasetClassNames);
    } catch (error) {
      this.#failed = savedModelId;
      this.error = `The ready teacher ${teacher.label} was not installed: ${messageOf(error)}`;
    } finally {
      this.installing = null;
    }
  }
}
