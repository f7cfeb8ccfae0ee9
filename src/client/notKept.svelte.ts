/**
 * What the browser failed to keep (a full quota, a private window): each item names the thing and why, for
 * the page to show until the person dismisses it. Without it "nothing lost on reload" would stop holding
 * with only a console line to say so.
 */
import { describeStorageError } from '../storage/storageErrors';

export interface NotKeptItem {
  /** What was not kept, as a person names it ("the run “kd 3”"). */
  readonly what: string;
  readonly reason: string;
}

export class NotKept {
  items = $state.raw<readonly NotKeptItem[]>([]);

  /** A failure already described (the worker sends its reason in words). */
  add(item: NotKeptItem): void {
    this.items = [...this.items.filter((i) => i.what !== item.what), item];
  }

  /** A failed save on the page: `error` is what the store threw. */
  report(what: string, error: unknown): void {
    this.add({ what, reason: describeStorageError(error) });
  }

  dismiss(): void {
    this.items = [];
  }
}
