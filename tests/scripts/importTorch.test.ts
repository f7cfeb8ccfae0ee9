/**
 * scripts/import-torch.mjs, run as `npm run import-torch -- FILE --out DIR` runs it: what it writes is read
 * back with the saved-model parser and loaded as a network; a broken file exits non-zero with its message.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseModelJson, CIFAR10_NORMALIZATION } from '../../src/contract/modelFile';
import { restoreNetwork } from '../../src/models/networkWeights';
import { parityDir } from '../helpers/torchParity';

const ROOT = path.resolve(__dirname, '../..');
const scratch = mkdtempSync(path.join(tmpdir(), 'distillery-import-torch-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function importTorch(...args: string[]) {
  return spawnSync(process.execPath, [path.join(ROOT, 'scripts/import-torch.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
}

describe('npm run import-torch', () => {
  it("writes RepDistiller's legacy resnet8 as a saved model that loads", () => {
    const out = path.join(scratch, 'resnet8');
    const run = importTorch(path.join(parityDir(), 'resnet8.legacy.pth'), '--out', out, '--name', 'PyTorch resnet8');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('resnet8.legacy.pth: resnet8, 10 classes (torch-legacy, state_dict)');
    expect(readdirSync(out).sort()).toEqual(['pytorch-resnet8.json', 'pytorch-resnet8.weights.bin']);
    const json = parseModelJson(readFileSync(path.join(out, 'pytorch-resnet8.json'), 'utf8'), { numClasses: 10 });
    expect(json.weightsManifest[0].paths).toEqual(['pytorch-resnet8.weights.bin']);
    expect(json.userDefinedMetadata.inputNormalization).toEqual(CIFAR10_NORMALIZATION);
    const weights = readFileSync(path.join(out, 'pytorch-resnet8.weights.bin'));
    const net = restoreNetwork(json, weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength), 'cli-resnet8');
    expect(net.params.trainableCount).toBe(78042);
    net.dispose();
  });

  it('exits non-zero with the reason for a broken file, writing nothing', () => {
    const empty = path.join(scratch, 'empty.pth');
    writeFileSync(empty, new Uint8Array(0));
    const out = path.join(scratch, 'none');
    const run = importTorch(empty, '--out', out);
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('The file is empty.');
    expect(() => readdirSync(out)).toThrow();
  });
});
