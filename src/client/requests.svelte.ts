/**
 * The Trainer's small stores for requests that are not a run: the duration estimate and an archive import.
 * Each knows which request it is waiting for, so an answer to an older one is ignored.
 */

type ByteProgress = { loadedBytes: number; totalBytes: number; file: string };

/** The measured duration estimate of the config with key `key`. */
export class Estimate {
  value = $state.raw<{ seconds: number; key: string } | null>(null);
  pending = $state(false);
  #request = { id: -1, key: '' };

  asked(id: number, key: string): void {
    this.#request = { id, key };
    this.pending = true;
  }

  isFor(requestId: number): boolean {
    return requestId === this.#request.id;
  }

  answered(requestId: number, seconds: number): void {
    if (!this.isFor(requestId)) return;
    this.pending = false;
    this.value = { seconds, key: this.#request.key };
  }

  failed(): void {
    this.pending = false;
  }
}

/** A CIFAR archive the worker is parsing: its progress, and why the last one failed. */
export class ArchiveImport {
  busy = $state(false);
  progress = $state.raw<ByteProgress | null>(null);
  error = $state<string | null>(null);
  /** After an image-folder import: what was left out and why, and how the test images were chosen. */
  notes = $state.raw<readonly string[]>([]);
  #request = -1;
  #onImported: (name: string) => void = () => {};

  started(requestId: number, onImported: (name: string) => void): void {
    this.#request = requestId;
    this.#onImported = onImported;
    this.busy = true;
    this.error = null;
    this.notes = [];
    this.progress = null;
  }

  isFor(requestId: number | null): boolean {
    return requestId !== null && requestId === this.#request;
  }

  /** Parsed and kept: the page switches to the new dataset. */
  finished(name: string, notes: readonly string[] = []): void {
    this.busy = false;
    this.notes = notes;
    this.progress = null;
    this.#onImported(name);
  }

  /** The dataset in use stays as it was. */
  failed(message: string): void {
    this.busy = false;
    this.progress = null;
    this.error = message;
  }
}
