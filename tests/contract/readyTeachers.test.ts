/** The ready-teacher manifest: its parser's refusals, and the committed manifest against the files beside it. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReadyTeachers, readyTeacherLabel, readyTeacherModelId, readyTeacherTooltip, ReadyTeachersError, type ReadyTeacher } from '../../src/contract/readyTeachers';
import { importTorchCheckpoint } from '../../src/models/torch/importCheckpoint';

const FOLDER = resolve(__dirname, '../../public/teachers');
const SHA = 'ab'.repeat(32);

function goodEntry(): Record<string, unknown> {
  return {
    id: 'resnet20', label: 'ResNet-20', role: 'the reference teacher', model: 'resnet20', file: 'resnet20.safetensors',
    bytes: 1_100_000, sha256: SHA, savedModelId: readyTeacherModelId(SHA), dataset: 'cifar10-subset', trainImages: 5085,
    testImages: 1017, seed: 1, epochs: 20, accuracy: 0.61, ece: 0.05, command: 'npm run make-ready-teachers -- --only resnet20',
  };
}
const manifestOf = (...teachers: unknown[]) => ({ format: 'distillery-ready-teachers', version: 1, teachers });

describe('parseReadyTeachers', () => {
  it('accepts a well-formed manifest and names a teacher for the menu', () => {
    const [teacher] = parseReadyTeachers(manifestOf(goodEntry()));
    expect(teacher!.savedModelId).toBe('m-abababababababab');
    expect(readyTeacherLabel(teacher!)).toBe('ResNet-20, ready: 61%');
    expect(readyTeacherTooltip(teacher!, 'CIFAR-10 subset')).toBe(`ResNet-20, ready: 61% test accuracy on CIFAR-10 subset: ${teacher!.role}`);
    expect(readyTeacherTooltip(teacher!)).toContain('on cifar10-subset: ');
  });

  const refusals: [string, unknown, RegExp][] = [
    ['not an object', 'manifest', /not a JSON object/],
    ['another format', { ...manifestOf(), format: 'x' }, /format is "x"/],
    ['another version', { ...manifestOf(), version: 2 }, /version 2/],
    ['no list', { format: 'distillery-ready-teachers', version: 1 }, /no teachers list/],
    ['an entry that is not an object', manifestOf(3), /teachers\[0\] is not an object/],
    ['empty text', manifestOf({ ...goodEntry(), label: '' }), /teachers\[0\]\.label must be non-empty text/],
    ['a fractional count', manifestOf({ ...goodEntry(), epochs: 2.5 }), /epochs must be a whole number/],
    ['an accuracy over 1', manifestOf({ ...goodEntry(), accuracy: 61 }), /accuracy must be a number in \[0, 1\]/],
    ['an unknown model', manifestOf({ ...goodEntry(), model: 'resnet9000' }), /"resnet9000" is not a model of the zoo/],
    ['a bad hash', manifestOf({ ...goodEntry(), sha256: 'XYZ' }), /sha256 must be 64 lowercase hex/],
    ['an id not from the hash', manifestOf({ ...goodEntry(), savedModelId: 'm-0000000000000000' }), /savedModelId must be "m-"/],
    ['a path outside the folder', manifestOf({ ...goodEntry(), file: '../x.safetensors' }), /plain \.safetensors file name/],
    ['a file over 4 MB', manifestOf({ ...goodEntry(), bytes: 5 * 2 ** 20 }), /over the 4 MB/],
    ['two entries for one file', manifestOf(goodEntry(), { ...goodEntry(), id: 'again' }), /share one file/],
  ];
  for (const [what, value, message] of refusals) {
    it(`refuses ${what}`, () => {
      expect(() => parseReadyTeachers(value)).toThrow(ReadyTeachersError);
      expect(() => parseReadyTeachers(value)).toThrow(message);
    });
  }
});

interface BundleResult { key: string; lastAccuracy: number; ece: number; epochs: number }
interface Bundle { run: { config: { student: string; epochs: number; seed: number }; results: BundleResult[] } }

type ManifestEntry = ReadyTeacher & { bundle: string; recipe: unknown };
/** The committed manifest (npm run make-ready-teachers writes it); its absence fails the first test below. */
const MANIFEST = resolve(FOLDER, 'manifest.json');
const raw = existsSync(MANIFEST) ? (JSON.parse(readFileSync(MANIFEST, 'utf8')) as { teachers: ManifestEntry[] }) : null;

describe('the committed ready teachers (public/teachers)', () => {
  const teachers = raw ? parseReadyTeachers(raw) : [];

  it('offers the reference resnet20, a deeper resnet56 and a weak resnet20', () => {
    expect(raw, `${MANIFEST} is missing: run npm run make-ready-teachers`).not.toBeNull();
    expect(teachers.map((t) => [t.id, t.model])).toEqual([['resnet20', 'resnet20'], ['resnet56', 'resnet56'], ['resnet20-weak', 'resnet20']]);
    const [reference, deeper, weak] = teachers;
    expect(weak!.accuracy).toBeLessThan(Math.min(reference!.accuracy, deeper!.accuracy));
    expect(weak!.epochs).toBeLessThan(reference!.epochs);
  });

  for (const [index, teacher] of teachers.entries()) {
    it(`${teacher.id}: the file is the manifest's (size, SHA-256, id, at most 4 MB) and imports as a ${teacher.model}`, () => {
      const bytes = readFileSync(resolve(FOLDER, teacher.file));
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      expect({ bytes: bytes.byteLength, sha256, id: readyTeacherModelId(sha256) }).toEqual({ bytes: teacher.bytes, sha256: teacher.sha256, id: teacher.savedModelId });
      expect(bytes.byteLength).toBeLessThanOrEqual(4 * 2 ** 20);
      const imported = importTorchCheckpoint(new Uint8Array(bytes), { fileName: teacher.file });
      expect([imported.model, imported.numClasses]).toEqual([teacher.model, 10]);
    });

    it(`${teacher.id}: accuracy, ECE, epochs and seed are the run bundle's`, () => {
      const entry = raw!.teachers[index]!;
      const bundle = JSON.parse(readFileSync(resolve(FOLDER, entry.bundle), 'utf8')) as Bundle;
      const result = bundle.run.results.find((r) => r.key === 'scratch')!;
      expect({ accuracy: teacher.accuracy, ece: teacher.ece, epochs: teacher.epochs }).toEqual({ accuracy: result.lastAccuracy, ece: result.ece, epochs: result.epochs });
      expect(bundle.run.config).toEqual(entry.recipe);
      expect([bundle.run.config.student, bundle.run.config.epochs, bundle.run.config.seed]).toEqual([teacher.model, teacher.epochs, teacher.seed]);
    });
  }
});
