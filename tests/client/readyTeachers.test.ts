/** Fetching the ready teachers: a build without them lists none; a served file must be the manifest's. */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchReadyTeacherFile, fetchReadyTeachers } from '../../src/client/readyTeachers';
import { readyTeacherModelId, ReadyTeachersError, type ReadyTeacher } from '../../src/contract/readyTeachers';

const BASE = 'http://localhost/teachers/';
const BYTES = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
const SHA = createHash('sha256').update(BYTES).digest('hex');
const TEACHER: ReadyTeacher = {
  id: 'resnet20', label: 'ResNet-20', role: 'the reference teacher', model: 'resnet20', file: 'resnet20.safetensors', bytes: BYTES.byteLength,
  sha256: SHA, savedModelId: readyTeacherModelId(SHA), dataset: 'cifar10-subset', trainImages: 5085, testImages: 1017, seed: 1, epochs: 15,
  accuracy: 0.6, ece: 0.05, command: 'npm run make-ready-teachers -- --only resnet20',
};

function serve(body: BodyInit | null, init: ResponseInit): void {
  vi.stubGlobal('fetch', vi.fn(async () => new Response(body, init)));
}
afterEach(() => void vi.unstubAllGlobals());

describe('fetchReadyTeachers', () => {
  it('reads the manifest', async () => {
    serve(JSON.stringify({ format: 'distillery-ready-teachers', version: 1, teachers: [TEACHER] }), { headers: { 'content-type': 'application/json' } });
    expect(await fetchReadyTeachers(BASE)).toEqual([TEACHER]);
  });

  it('lists none where the build has no teachers folder (404, or a dev server answering with the page)', async () => {
    serve('not found', { status: 404 });
    expect(await fetchReadyTeachers(BASE)).toEqual([]);
    serve('<!doctype html>', { headers: { 'content-type': 'text/html' } });
    expect(await fetchReadyTeachers(BASE)).toEqual([]);
  });

  it('says why when the server fails', async () => {
    serve('', { status: 500 });
    await expect(fetchReadyTeachers(BASE)).rejects.toThrow('teachers/manifest.json: HTTP 500');
  });
});

describe('fetchReadyTeacherFile', () => {
  it('hands over the file when its size and SHA-256 are the manifest’s', async () => {
    serve(BYTES, {});
    const file = await fetchReadyTeacherFile(TEACHER, BASE);
    expect([file.name, new Uint8Array(await file.arrayBuffer())]).toEqual(['resnet20.safetensors', BYTES]);
  });

  it('refuses a stale or damaged copy, saying what it got and what was expected', async () => {
    serve(new Uint8Array([9, 9, 9]), {});
    const fetched = fetchReadyTeacherFile(TEACHER, BASE);
    await expect(fetched).rejects.toThrow(ReadyTeachersError);
    await expect(fetchReadyTeacherFile(TEACHER, BASE)).rejects.toThrow(`is not the file the manifest describes (3 bytes`);
  });

  it('says which file could not be fetched', async () => {
    serve('', { status: 404 });
    await expect(fetchReadyTeacherFile(TEACHER, BASE)).rejects.toThrow('teachers/resnet20.safetensors: HTTP 404');
  });
});
