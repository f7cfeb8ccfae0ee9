/**
 * `npm run reproduce:teachers` (scripts/reproduction/teacherMeasures.ts) on a tiny ready teacher and synthetic
 * data, on the wasm backend: both teachers' rows under both protocols, the held-out temperature is never fitted on the images it scores, and CA-MKD's weights come
 * from the method's own weighting.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitTemperature, reliabilityBins } from '../../src/core/calibration';
import { softmaxRows } from '../../src/core/metrics';
import { DEFAULT_OPTIONS, type ReproductionOptions } from '../../scripts/reproduction/options';
import { measureTeachers } from '../../scripts/reproduction/measureTeachers';
import { crossFittedCalibration } from '../../scripts/reproduction/teacherMeasures';
import { FIXTURE_DATASET, FIXTURE_TEACHER, writeDatasetsFolder, writeTeachersFolder } from '../helpers/reproductionFixtures';

let root = '';
let options: ReproductionOptions;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'teacher-measures-'));
  options = {
    ...DEFAULT_OPTIONS, seeds: [1], subset: 80, testSubset: 40, backend: 'wasm', teacher: FIXTURE_TEACHER, student: 'tiny-cnn', dataset: FIXTURE_DATASET,
    datasetsDir: writeDatasetsFolder(path.join(root, 'datasets'), 80, 40), teachersDir: await writeTeachersFolder(path.join(root, 'teachers')),
  };
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Seeded logits and labels, n rows of `classes`. */
function fakeLogits(n: number, classes: number): { logits: Float32Array; labels: Uint8Array } {
  let state = 7;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const labels = Uint8Array.from({ length: n }, () => Math.floor(next() * classes));
  const logits = Float32Array.from({ length: n * classes }, (_, k) => 3 * next() + (labels[Math.floor(k / classes)] === k % classes ? 1.5 : 0));
  return { logits, labels };
}

describe('the ready teachers\u2019 measurements', () => {
  it('fits the held-out temperature on one half of the images and scores the other with it', () => {
    const { logits, labels } = fakeLogits(200, 10);
    const { temperatures, ece } = crossFittedCalibration(logits, labels, 10, 20);
    const even = { logits: new Float32Array(1000), labels: new Uint8Array(100) };
    const odd = { logits: new Float32Array(1000), labels: new Uint8Array(100) };
    for (let i = 0; i < 200; i++) {
      const half = i % 2 === 0 ? even : odd;
      half.logits.set(logits.subarray(i * 10, i * 10 + 10), (i >> 1) * 10);
      half.labels[i >> 1] = labels[i]!;
    }
    expect(temperatures).toEqual([fitTemperature(even.logits, even.labels, 10), fitTemperature(odd.logits, odd.labels, 10)]);
    expect(temperatures[0]).not.toBeCloseTo(temperatures[1], 3);
    // Every image is scored with the temperature of the half it is not in.
    const probs = new Float32Array(2000);
    for (let i = 0; i < 200; i++) probs.set(softmaxRows(logits.subarray(i * 10, i * 10 + 10), 10, temperatures[1 - (i % 2)]!), i * 10);
    expect(ece).toBeCloseTo(reliabilityBins(probs, labels, 10, 20).ece, 10);
  });

  it('reports the plain and the oracle teacher under both protocols and CA-MKD\u2019s weights, on the page\u2019s code', async () => {
    const lines: string[] = [];
    const report = await measureTeachers(options, [50], (line) => lines.push(line), [FIXTURE_TEACHER, FIXTURE_TEACHER]);
    expect(report).toContain('The ready Tiny CNN on the 40 test images, ECE with 20 bins:');
    const rows = report.split('\n').filter((l) => /^\| (0|50) /.test(l));
    expect(rows).toHaveLength(2);
    const plain = rows[0]!.split('|').map((c) => c.trim());
    const oracle = rows[1]!.split('|').map((c) => c.trim());
    expect(plain[1]).toBe('0 (plain teacher, x)');
    expect(oracle[1]).toBe('50 (oracle teacher, x*)');
    // x* at a large γ moves the teacher's responses: its ECE is not the plain one.
    for (const cells of [plain, oracle]) {
      expect(cells[2]).toMatch(/^\d+\.\d%$/);
      expect(cells[3]).toMatch(/^0\.\d{4}$/);
      expect(cells[4]).toMatch(/^0\.\d{4} \(T \d+\.\d{2}\)$/);
      expect(cells[5]).toMatch(/^0\.\d{4} \(T \d+\.\d{2}, \d+\.\d{2}\)$/);
    }
    expect(lines.some((l) => /^γ 50: accuracy [\d.]+% on 40 test images \(wasm\)$/.test(l))).toBe(true);
    // One teacher twice: CA-MKD splits every image's weight evenly.
    expect(report).toMatch(/\| Tiny CNN \(m-[0-9a-f]{16}\) \| [\d.]+% \| 0\.500 \| /);
    expect(report).toContain('CA-MKD\u2019s weights over 72 training images:'.replace('\u2019', "'"));
  });
});
