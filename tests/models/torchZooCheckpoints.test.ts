// ResNet50, vgg16 and vgg19 checkpoints, which the shared parity assets lack, written by
// python/make_zoo_checkpoints.py with RepDistiller's state_dict names and shapes (spelled out there from the
// architectures, not from the TS name map), go through the real importer: each is recognised as its model
// and class count, every tensor lands in the variable the name map says with the layout's permutation
// (checked against the script's per-tensor shape, first value and sum), and the network runs.
// Needs a Python with torch (scripts/torchPython.mjs finds one); without, it is skipped with a warning,
// except under REQUIRE_TORCH=1 (.ci/run), where it fails.
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelId } from '../../src/contract/modelCatalog';
import { restoreNetwork } from '../../src/models/networkWeights';
import { importTorchCheckpoint } from '../../src/models/torch/importCheckpoint';
import { tfjsToTorch } from '../../src/interop/pytorch/layout';
import { torchBatchNormCounters, torchNames } from '../../src/interop/pytorch/stateDictNames/names';
import { findTorchPython } from '../../scripts/torchPython.mjs';

const SCRIPT = path.resolve(__dirname, '../../python/make_zoo_checkpoints.py');
const python = findTorchPython();
if (!python) {
  if (process.env.REQUIRE_TORCH === '1') throw new Error('No Python with torch: python/make_zoo_checkpoints.py cannot run (REQUIRE_TORCH=1).');
  console.warn('torchZooCheckpoints: no Python with torch; the ResNet50/vgg16/vgg19 checkpoint imports did not run.');
}

interface Manifest {
  model: string;
  numClasses: number;
  parameters: number;
  tensors: Record<string, { shape: number[]; first: number; sum: number }>;
}

// ResNet50 at 100 classes, as RepDistiller's released CIFAR-100 teacher.
const CASES: readonly { model: string; id: ModelId; classes: number }[] = [
  { model: 'ResNet50', id: 'resnet50', classes: 100 },
  { model: 'vgg16', id: 'vgg16', classes: 10 },
  { model: 'vgg19', id: 'vgg19', classes: 10 },
];

let dir = '';
beforeAll(() => {
  if (!python) return;
  dir = mkdtempSync(path.join(tmpdir(), 'zoo-checkpoints-'));
  const run = spawnSync(python, [SCRIPT, dir, ...CASES.map((c) => `${c.model}:${c.classes}`)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`make_zoo_checkpoints.py failed: ${run.stderr}`);
}, 120_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!python)('RepDistiller-named ResNet50 / vgg16 / vgg19 checkpoints', () => {
  it.each(CASES)('$model ($classes classes): imported as $id, every tensor where the name map puts it, finite logits', ({ model, id, classes }) => {
    const manifest = JSON.parse(readFileSync(path.join(dir, `${model}.json`), 'utf8')) as Manifest;
    const imported = importTorchCheckpoint(new Uint8Array(readFileSync(path.join(dir, `${model}.pth`))), { fileName: `${model}.pth` });
    expect([imported.model, imported.numClasses]).toEqual([id, classes]);
    const net = restoreNetwork(imported.json, imported.weights, `checkpoint-${id}`);
    try {
      expect(net.params.trainableCount).toBe(manifest.parameters);
      const names = torchNames(id, net.params.named.keys());
      expect([...names.map((n) => n.torch), ...torchBatchNormCounters(names)].sort()).toEqual(Object.keys(manifest.tensors).sort());
      for (const { local, torch, layout } of names) {
        const variable = net.params.named.get(local)!;
        const values = tfjsToTorch(layout, variable.dataSync() as Float32Array, variable.shape);
        const probe = manifest.tensors[torch]!;
        const sum = values.reduce((total, v) => total + v, 0);
        expect([torch, values[0], Math.abs(sum - probe.sum) <= 1e-6 * Math.max(1, Math.abs(probe.sum))]).toEqual([torch, Math.fround(probe.first), true]);
      }
      // 8x8: every family pools globally, and a 32x32 ResNet50 forward is slow on the CPU backend.
      const logits = tf.tidy(() => net.apply(tf.randomNormal([1, 8, 8, 3], 0, 1, 'float32', 3), { training: false }).logits.arraySync());
      expect(logits[0]).toHaveLength(classes);
      expect(logits[0]!.every(Number.isFinite)).toBe(true);
    } finally {
      net.dispose();
    }
  }, 300_000);
});
