/**
 * Export then import is bit-exact: a zoo model's tfjs weights, written as .pth and .safetensors and read
 * back by the importer, are the same float32 bits under the same names; and a parity checkpoint imported,
 * exported and imported again comes back unchanged.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { ModelId } from '../../src/contract/modelCatalog';
import type { ModelJson } from '../../src/contract/modelFile';
import { encodeNetwork } from '../../src/models/networkWeights';
import { exportTorchFile, type TorchFormat } from '../../src/interop/pytorch/export';
import { readTorchCheckpoint } from '../../src/interop/pytorch/checkpoint';
import { importTorchCheckpoint, matchZooModel } from '../../src/models/torch/importCheckpoint';
import { buildNetwork } from '../../src/models/zoo';

const PARITY_DIR = resolve(process.env.KD_PARITY_DIR ?? join(process.cwd(), '..', 'shared', 'parity'));
const FORMATS: readonly TorchFormat[] = ['pth', 'safetensors'];

/** Each weight's bytes by local name and shape, so the comparison does not depend on the order either side writes. */
function bytesByName(json: ModelJson, weights: ArrayBuffer): Map<string, Buffer> {
  const bytes = new Map<string, Buffer>();
  let offset = 0;
  for (const spec of json.weightsManifest[0].weights) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    bytes.set(`${spec.name} [${spec.shape.join(', ')}]`, Buffer.from(weights, offset, 4 * count));
    offset += 4 * count;
  }
  return bytes;
}

/** The weights (name and shape) whose bytes differ or that only one side has; [] when bit-exact. */
function differences(got: { json: ModelJson; weights: ArrayBuffer }, expected: { json: ModelJson; weights: ArrayBuffer }): string[] {
  const a = bytesByName(got.json, got.weights);
  const b = bytesByName(expected.json, expected.weights);
  const names = new Set([...a.keys(), ...b.keys()]);
  return [...names].filter((name) => !a.has(name) || !b.has(name) || !a.get(name)!.equals(b.get(name)!));
}

async function zooModelFiles(model: ModelId, numClasses: number): Promise<{ json: ModelJson; weights: ArrayBuffer }> {
  const net = buildNetwork(model, { numClasses, name: `roundtrip-${model}`, seed: 3 });
  try {
    let seed = 0;
    for (const [name, variable] of net.params.named) {
      // Distinct running statistics (fresh ones are all 0 or 1), and a subnormal and a negative zero, which a
      // lossy path would flush.
      if (/running(Mean|Variance)$/.test(name)) variable.assign(tf.randomUniform(variable.shape, 0.5, 1.5, 'float32', ++seed));
    }
    const metadata = { name: model, dataset: 'zoo', classNames: [], testAccuracy: null, trainedWith: '', savedAt: 0 };
    const files = await encodeNetwork(net, metadata);
    const values = new Float32Array(files.weights);
    values[0] = 1e-40;
    values[1] = -0;
    return files;
  } finally {
    net.dispose();
  }
}

describe('PyTorch export then import', () => {
  const cases: [ModelId, number][] = [
    ['resnet20', 10], ['wrn_16_2', 100], ['vgg8', 10], ['mobilenetv2', 10], ['resnet8x4', 10], ['shufflev1', 10], ['shufflev2', 10],
    ['wrn_16_2_refilled', 100], ['resnet18_dfkd', 10],
  ];
  for (const [model, numClasses] of cases) {
    it(`gives back ${model}'s weights bit for bit, from .pth and .safetensors`, async () => {
      const { json, weights } = await zooModelFiles(model, numClasses);
      for (const format of FORMATS) {
        const { bytes } = exportTorchFile(json, weights, format);
        const imported = importTorchCheckpoint(bytes);
        expect([imported.model, imported.numClasses], format).toEqual([model, numClasses]);
        expect(differences(imported, { json, weights }), format).toEqual([]);
      }
    });
  }

  // Files the reference code wrote carry no metadata: the names and shapes alone must say which model it is.
  it.each([['wrn_16_1_refilled', 100], ['wrn_40_2_refilled', 10], ['resnet18_dfkd', 10], ['resnet34_dfkd', 100]] as const)(
    'recognises %s from its state_dict alone (%i classes)',
    async (model, numClasses) => {
      const { json, weights } = await zooModelFiles(model, numClasses);
      const checkpoint = readTorchCheckpoint(exportTorchFile(json, weights, 'pth').bytes);
      const matched = matchZooModel(checkpoint);
      expect([matched.model, matched.numClasses]).toEqual([model, numClasses]);
    },
    120_000,
  );

  it('round-trips the parity checkpoints: import, export, import again', () => {
    for (const file of ['resnet20.pth', 'resnet8.legacy.pth', 'wrn_16_2.pth', 'vgg8.safetensors', 'MobileNetV2.pth', 'ShuffleV1.legacy.pth', 'ShuffleV2.safetensors']) {
      const first = importTorchCheckpoint(new Uint8Array(readFileSync(join(PARITY_DIR, file))));
      for (const format of FORMATS) {
        const again = importTorchCheckpoint(exportTorchFile(first.json, first.weights, format).bytes);
        expect([again.model, again.numClasses], `${file} via ${format}`).toEqual([first.model, first.numClasses]);
        expect(differences(again, first), `${file} via ${format}`).toEqual([]);
      }
    }
  });
});
