import { describe, expect, it } from 'vitest';
import { LossTrust, TYPED_LOSSES_KEPT, TYPED_LOSSES_KEY, readTypedLosses } from '../../src/app/lossTrust.svelte';
import { NotKept } from '../../src/client/notKept.svelte';
import { USER_LOSS_TEMPLATE } from '../../src/contract/userCode';

class MemoryStorage {
  readonly data = new Map<string, string>();
  failing = false;
  getItem = (key: string) => this.data.get(key) ?? null;
  setItem = (key: string, value: string) => {
    if (this.failing) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    this.data.set(key, value);
  };
}

const LINKED = 'return tf.mean(tf.abs(tf.sub(student, teacher)));';

describe('LossTrust', () => {
  it('allows the template and nothing else on a fresh browser', () => {
    const trust = new LossTrust(new MemoryStorage(), new NotKept());
    expect(trust.allows(USER_LOSS_TEMPLATE)).toBe(true);
    expect(trust.allows(LINKED)).toBe(false);
  });

  it('code typed here is allowed, on this page and after a reload; the keystrokes in between are not kept', () => {
    const storage = new MemoryStorage();
    const trust = new LossTrust(storage, new NotKept());
    trust.edited(USER_LOSS_TEMPLATE, 'return tf.mean(student)');
    trust.edited('return tf.mean(student)', 'return tf.mean(student);');
    expect(trust.allows('return tf.mean(student);')).toBe(true);
    expect(readTypedLosses(storage)).toEqual(['return tf.mean(student);']);
    expect(new LossTrust(storage, new NotKept()).allows('return tf.mean(student);')).toBe(true);
  });

  it('editing code from elsewhere does not make it the person’s own', () => {
    const trust = new LossTrust(new MemoryStorage(), new NotKept());
    trust.edited(LINKED, `${LINKED}\n// looked at it`);
    expect(trust.allows(`${LINKED}\n// looked at it`)).toBe(false);
  });

  it('consent allows that exact code on this page only', () => {
    const storage = new MemoryStorage();
    const trust = new LossTrust(storage, new NotKept());
    trust.consent(LINKED);
    expect(trust.allows(LINKED)).toBe(true);
    expect(trust.allows(`${LINKED} `)).toBe(false);
    expect(new LossTrust(storage, new NotKept()).allows(LINKED)).toBe(false); // a reload asks again
    trust.edited(LINKED, `${LINKED}\n`); // agreed code, then edited: the person's own
    expect(new LossTrust(storage, new NotKept()).allows(`${LINKED}\n`)).toBe(true);
  });

  it('keeps the newest typed losses only, and ignores a malformed record', () => {
    const storage = new MemoryStorage();
    for (let i = 0; i < TYPED_LOSSES_KEPT + 5; i++) {
      // One page each: a loss typed on each of many visits.
      new LossTrust(storage, new NotKept()).edited(USER_LOSS_TEMPLATE, `return tf.scalar(${i});`);
    }
    expect(readTypedLosses(storage)).toHaveLength(TYPED_LOSSES_KEPT);
    storage.data.set(TYPED_LOSSES_KEY, '{"not": "a list"}');
    expect(readTypedLosses(storage)).toEqual([]);
    storage.data.set(TYPED_LOSSES_KEY, '[1, "return tf.scalar(0);"]');
    expect(readTypedLosses(storage)).toEqual(['return tf.scalar(0);']);
  });

  it('says so when the browser will not keep the record', () => {
    const storage = new MemoryStorage();
    storage.failing = true;
    const notKept = new NotKept();
    const trust = new LossTrust(storage, notKept);
    trust.edited(USER_LOSS_TEMPLATE, 'return tf.mean(student);');
    expect(trust.allows('return tf.mean(student);')).toBe(true); // still this page's
    expect(notKept.items).toHaveLength(1);
    expect(notKept.items[0]!.reason).toMatch(/storage for this site is full \(QuotaExceededError\)/);
  });
});
