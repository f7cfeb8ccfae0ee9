/**
 * scripts/export-pytorch.mjs, as `npm run export-pytorch -- LINK --out DIR` runs it: a link becomes the same
 * zip the page builds (run.json's config is the link's), a teacher file travels as safetensors, and a bad
 * link, an unknown teacher file, a missing one and custom loss code each exit 1 with their reason.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { parseUrl } from '../../src/config/fields';
import { readTorchCheckpoint } from '../../src/interop/pytorch/checkpoint';
import { parityDir } from '../helpers/torchParity';

const ROOT = path.resolve(__dirname, '../..');
const scratch = mkdtempSync(path.join(tmpdir(), 'distillery-export-pytorch-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const LINK = 'http://localhost:5173/?method=kd&teacher=resnet8&student=tiny-cnn&epochs=2&teacherEpochs=1&subset=256&testSubset=128&seed=4&T=3';

function exportPytorch(...args: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, 'scripts/export-pytorch.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
}

describe('npm run export-pytorch', () => {
  it('writes the link as a zip whose config is the link\u2019s, with a teacher file as safetensors', () => {
    const out = path.join(scratch, 'ok');
    const teacher = path.join(parityDir(), 'resnet8.legacy.pth');
    const run = exportPytorch(LINK, '--teacher', teacher, '--out', out);
    expect(run.status, run.stderr).toBe(0);
    const [file] = readdirSync(out);
    expect(file).toBe('kd-resnet8-to-tiny-cnn-seed-4.distillery-pytorch.zip');
    expect(run.stdout).toContain(`wrote ${path.join(out, file!)}`);
    const files = unzipSync(new Uint8Array(readFileSync(path.join(out, file!))));
    expect(Object.keys(files).sort()).toEqual(['README.md', 'run.json', 'teachers/teacher-0.safetensors']);
    const json = JSON.parse(strFromU8(files['run.json']!));
    const expected = parseUrl(LINK.split('?')[1]!).config;
    expect(json.config).toEqual({ ...expected, savedTeacher: json.config.savedTeacher });
    expect(json.config.savedTeacher).toMatch(/^m-[0-9a-f]{16}$/);
    expect(json.config.methodParams.T).toBe(3);
    expect(json.dataset.id).toBe('cifar10-subset');
    expect(json.teachers).toMatchObject([{ slot: 0, model: 'resnet8', numClasses: 10, file: 'teachers/teacher-0.safetensors' }]);
    // The teacher's tensors are the checkpoint's, value for value.
    const original = readTorchCheckpoint(new Uint8Array(readFileSync(teacher))).tensors;
    const exported = readTorchCheckpoint(files['teachers/teacher-0.safetensors']!).tensors;
    expect([...exported.keys()].sort()).toEqual([...original.keys()].sort());
    for (const [name, tensor] of original) expect(Buffer.from(exported.get(name)!.toFloat32().buffer).equals(Buffer.from(tensor.toFloat32().buffer)), name).toBe(true);
  });

  it('exits 1 with the URL table\u2019s notes for a bad link, writing nothing', () => {
    const out = path.join(scratch, 'bad');
    const run = exportPytorch('?method=kd&epochs=abc&student=resnet9', '--out', out);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('student=resnet9 is not one of');
    expect(run.stderr).toContain('epochs=abc is not a number; using 8.');
    expect(() => readdirSync(out)).toThrow();
    expect(exportPytorch('not a link').stderr.trim()).toBe('"not a link" is not a playground link: it has no settings (?method=kd&teacher=...).');
  });

  it('refuses an unknown teacher file, a missing one, and custom loss code', () => {
    const notes = path.join(scratch, 'notes.txt');
    writeFileSync(notes, 'hello');
    expect(exportPytorch(LINK, '--teacher', notes).stderr).toContain('not a teacher file. Give a .safetensors or .pth checkpoint');
    const garbage = path.join(scratch, 'garbage.safetensors');
    writeFileSync(garbage, 'hello');
    const broken = exportPytorch(LINK, '--teacher', garbage);
    expect(broken.status).toBe(1);
    expect(broken.stderr.trim()).toBe('This is neither a PyTorch checkpoint (.pth, .pt) nor a .safetensors file.');
    expect(exportPytorch(`${LINK}&savedTeacher=m-0123456789abcdef`).stderr).toContain('distils from the model m-0123456789abcdef saved in a browser');
    const custom = exportPytorch('?method=custom');
    expect(custom.status).toBe(1);
    expect(custom.stderr).toContain('code written in the page is not exportable');
  });
});
