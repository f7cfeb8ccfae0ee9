import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import {
  BACKEND_CHOICE_MAX_AGE_DAYS,
  BACKEND_CHOICE_VERSION,
  backendChoiceKey,
  fastestBackend,
  forgetBackendChoice,
  recallBackendChoice,
  rememberBackendChoice,
  usableBackendChoice,
  type BackendChoiceKeyParts,
} from '../../src/storage/worker/backendChoice';
import { choiceSentence, rememberedSentence } from '../../src/workers/backendRace';

const DAY_MS = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 11, 2, 18, 0, 0);
const PARTS: BackendChoiceKeyParts = {
  platform: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131',
  adapter: 'google | swiftshader | SwiftShader Device (emulated)',
  probe: 'tiny-cnn training step, batch 8, 2 timed steps',
  candidates: ['wasm', 'webgpu'],
};
const KEY = backendChoiceKey(PARTS);
const RACE = [
  { backend: 'wasm', secondsPerImage: 0.002 },
  { backend: 'webgpu', secondsPerImage: 0.04 },
] as const;

/** Writes a raw record, as an older build or a damaged profile might have left it. */
async function putRaw(value: Record<string, unknown>): Promise<void> {
  await rememberBackendChoice(KEY, RACE, NOW); // creates the database at its current version
  const db = await openDB('distillery-backend-choice');
  await db.put('choices', value);
  db.close();
}

describe('the remembered automatic backend choice', () => {
  it('keys a choice by the browser, the adapter, the probe and the candidate set', () => {
    expect(backendChoiceKey({ ...PARTS, candidates: ['webgpu', 'wasm'] })).toBe(KEY);
    for (const other of [{ platform: 'Firefox/133' }, { adapter: 'none: navigator.gpu is missing' }, { probe: 'resnet8, batch 8' }, { candidates: ['wasm'] as const }]) {
      expect(backendChoiceKey({ ...PARTS, ...other })).not.toBe(KEY);
    }
    expect(JSON.parse(KEY)).toMatchObject({ version: BACKEND_CHOICE_VERSION });
  });

  it('is recalled on a later load with every measured speed, and forgotten on request', async () => {
    await rememberBackendChoice(KEY, RACE, NOW);
    const recalled = await recallBackendChoice(KEY, NOW + DAY_MS);
    expect(recalled).toEqual({ key: KEY, version: BACKEND_CHOICE_VERSION, measuredAt: NOW, entries: RACE });
    expect(fastestBackend(recalled!.entries)?.backend).toBe('wasm');
    expect(await recallBackendChoice(backendChoiceKey({ ...PARTS, platform: 'another browser' }), NOW)).toBeNull();
    await forgetBackendChoice(KEY);
    expect(await recallBackendChoice(KEY, NOW)).toBeNull();
  });

  it(`is measured again after ${BACKEND_CHOICE_MAX_AGE_DAYS} days, and a date in the future is not trusted`, async () => {
    await rememberBackendChoice(KEY, RACE, NOW);
    expect(await recallBackendChoice(KEY, NOW + BACKEND_CHOICE_MAX_AGE_DAYS * DAY_MS)).not.toBeNull();
    expect(await recallBackendChoice(KEY, NOW + BACKEND_CHOICE_MAX_AGE_DAYS * DAY_MS + 1)).toBeNull();
    expect(await recallBackendChoice(KEY, NOW - 1)).toBeNull();
  });

  it('ignores a record from another cache version, a corrupt one, and one naming a backend that was not raced', async () => {
    const good = { key: KEY, version: BACKEND_CHOICE_VERSION, measuredAt: NOW, entries: RACE };
    const bad: Record<string, unknown>[] = [
      { ...good, version: BACKEND_CHOICE_VERSION - 1 },
      { ...good, version: undefined },
      { ...good, measuredAt: 'yesterday' },
      { ...good, measuredAt: Number.NaN },
      { ...good, entries: [] },
      { ...good, entries: 'wasm' },
      { ...good, entries: [{ backend: 'wasm', secondsPerImage: Number.POSITIVE_INFINITY }] },
      { ...good, entries: [{ backend: 'wasm', secondsPerImage: 0 }] },
      { ...good, entries: [{ backend: 'wasm', secondsPerImage: -1 }] },
      { ...good, entries: [{ backend: 'wasm' }] },
      { ...good, entries: [null] },
      { ...good, entries: [{ backend: 'cpu', secondsPerImage: 0.001 }] }, // not a candidate of this key
      { ...good, entries: [{ backend: 'quantum', secondsPerImage: 0.001 }] },
    ];
    for (const record of bad) {
      await putRaw(record);
      expect(await recallBackendChoice(KEY, NOW), JSON.stringify(record)).toBeNull();
    }
    expect(usableBackendChoice(null, KEY, NOW)).toBeNull();
    expect(usableBackendChoice('wasm', KEY, NOW)).toBeNull();
    expect(usableBackendChoice(good, 'not a key', NOW)).toBeNull();
    expect(usableBackendChoice({ ...good, key: 'not a key' }, 'not a key', NOW)).toBeNull();
    await putRaw(good);
    expect(await recallBackendChoice(KEY, NOW)).toEqual(good);
  });

  it('refuses to remember a race in which nothing trained, or a speed that is not finite', async () => {
    await forgetBackendChoice(KEY);
    await expect(rememberBackendChoice(KEY, [], NOW)).rejects.toThrow(/Refusing to remember a backend race without a finite speed for every entry \(\[\]\)/);
    await expect(rememberBackendChoice(KEY, [{ backend: 'webgpu', secondsPerImage: Number.NaN }], NOW)).rejects.toThrow(/Refusing to remember/);
    await expect(rememberBackendChoice(KEY, [{ backend: 'cpu', secondsPerImage: 0.1 }], NOW)).rejects.toThrow(/Refusing to remember/);
    expect(await recallBackendChoice(KEY, NOW)).toBeNull();
  });

  it('says on the status line that the choice is remembered, and since when', () => {
    const sentence = rememberedSentence(choiceSentence('WebGPU is emulated on this CPU', RACE), NOW);
    expect(sentence).toBe('WebGPU is emulated on this CPU: training on WebAssembly, 20x faster here than WebGPU, measured on 2026-12-02 and remembered');
  });
});
