/**
 * Which loss code may run without asking: the template, code the person typed in this browser (kept in
 * localStorage, so their own links and saved runs run as before), and code they agreed to run on this
 * page. Anything else (a link's, a run bundle's, a saved or unfinished run's made from either) waits for
 * the person to read it and press the button that says where it came from and that it will run.
 */
import { USER_LOSS_TEMPLATE } from '../contract/userCode';
import type { NotKept } from '../client/notKept.svelte';

/** Where loss code that needs consent came from, as the page words it. */
export type LossOrigin = 'a link' | 'a run bundle' | 'a saved run' | 'an unfinished run' | 'somewhere else';

export const TYPED_LOSSES_KEY = 'distillery.typedLosses';
/** The most typed losses remembered; older ones ask again. */
export const TYPED_LOSSES_KEPT = 30;

/** The losses recorded in `storage` (a list of code texts), ignoring anything malformed. */
export function readTypedLosses(storage: Pick<Storage, 'getItem'> | null): string[] {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(TYPED_LOSSES_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((code): code is string => typeof code === 'string').slice(-TYPED_LOSSES_KEPT) : [];
  } catch {
    return [];
  }
}

export class LossTrust {
  #typed: string[];
  /** Code typed during this page's life: an edit replaces its predecessor rather than piling up keystrokes. */
  #typedHere = new Set<string>();
  #consented = new Set<string>();
  /** Bumped on every change, so `allows` is reactive. */
  #version = $state(0);

  constructor(
    private readonly storage: Pick<Storage, 'getItem' | 'setItem'> | null,
    private readonly notKept: NotKept,
  ) {
    this.#typed = readTypedLosses(storage);
  }

  allows(code: string): boolean {
    void this.#version;
    return code === USER_LOSS_TEMPLATE || this.#consented.has(code) || this.#typed.includes(code);
  }

  /** The person changed the code in the editor: it is theirs if what they edited was trusted. */
  edited(previous: string, next: string): void {
    if (!this.allows(previous)) return;
    const kept = this.#typedHere.has(previous) ? this.#typed.filter((code) => code !== previous) : this.#typed;
    this.#typedHere.delete(previous);
    this.#typedHere.add(next);
    this.#typed = [...kept.filter((code) => code !== next), next].slice(-TYPED_LOSSES_KEPT);
    this.#version++;
    try {
      this.storage?.setItem(TYPED_LOSSES_KEY, JSON.stringify(this.#typed));
    } catch (error) {
      this.notKept.report('the record of losses you typed (after a reload, your own loss asks before it runs)', error);
    }
  }

  /** The person pressed the button to run this code, on this page. */
  consent(code: string): void {
    this.#consented.add(code);
    this.#version++;
  }
}
