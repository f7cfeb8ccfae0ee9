// ShuffleV1 and ShuffleV2 against RepDistiller's own code: the shared parity assets' eval logits and
// is_feat=True features (../shared/parity, README there) from its checkpoints, within 1e-4 by the fixtures'
// rule |got - exp| <= tol * max(1, |exp|). ShuffleV1's checkpoint is a legacy pickle: python3-torch
// converts it to safetensors in a temp dir (the page's importer reads it itself).
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildNetwork } from '../../src/models/zoo';
import type { ModelId } from '../../src/models/catalog';
import { shuffleV1TorchName, shuffleV2TorchName } from '../../src/models/torch/shufflenet';
import type { TorchTarget } from '../../src/models/torch/names';
import { loadTorchWeights, readSafetensors, type TorchTensor } from '../helpers/torchWeights';

const PARITY_DIR = process.env.KD_PARITY_DIR ?? path.resolve(__dirname, '../../../shared/parity');
const TOLERANCE = 1e-4;

interface ParityEntry {
  model: string;
  numClasses: number;
  file: string;
  parameters: number;
  logits: number[][];
  features: string[];
}
interface Parity {
  normalize: { mean: number[]; std: number[] };
  testImages: number[][][][];
  models: ParityEntry[];
}

const parity = JSON.parse(readFileSync(path.join(PARITY_DIR, 'parity.json'), 'utf8')) as Parity;
const features = readSafetensors(path.join(PARITY_DIR, 'features.safetensors'));
const scratch = mkdtempSync(path.join(tmpdir(), 'shufflenet-parity-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A state_dict file as F32 safetensors: read directly, or converted by python3-torch. */
function checkpointTensors(file: string): Map<string, TorchTensor> {
  const source = path.join(PARITY_DIR, file);
  if (file.endsWith('.safetensors')) return readSafetensors(source);
  const script = path.join(scratch, 'convert.py');
  writeFileSync(script, CONVERT_SCRIPT);
  const target = path.join(scratch, `${file}.safetensors`);
  execFileSync('python3', [script, source, target], { stdio: 'pipe' });
  return readSafetensors(target);
}

const CONVERT_SCRIPT = `
import json, struct, sys, torch
state = torch.load(sys.argv[1], map_location='cpu')
header, blobs, offset = {}, [], 0
for name, tensor in state.items():
    if name.endswith('num_batches_tracked'):
        continue
    data = tensor.detach().float().contiguous().numpy().tobytes()
    header[name] = {'dtype': 'F32', 'shape': list(tensor.shape), 'data_offsets': [offset, offset + len(data)]}
    blobs.append(data)
    offset += len(data)
encoded = json.dumps(header).encode()
with open(sys.argv[2], 'wb') as out:
    out.write(struct.pack('<Q', len(encoded)))
    out.write(encoded)
    for data in blobs:
        out.write(data)
`;

/** The test images, normalised, NHWC. */
function testImages(): tf.Tensor4D {
  const { mean, std } = parity.normalize;
  return tf.tidy(() => {
    const nchw = tf.div(tf.tensor4d(parity.testImages.flat(3), [parity.testImages.length, 3, 32, 32]), 255);
    const nhwc = tf.transpose(nchw, [0, 2, 3, 1]);
    return tf.div(tf.sub(nhwc, tf.tensor1d(mean)), tf.tensor1d(std)) as tf.Tensor4D;
  });
}

/** Values outside |got - exp| <= tol * max(1, |exp|). */
function mismatches(got: ArrayLike<number>, expected: ArrayLike<number>): number {
  let bad = 0;
  for (let i = 0; i < expected.length; i++) if (!(Math.abs(got[i]! - expected[i]!) <= TOLERANCE * Math.max(1, Math.abs(expected[i]!)))) bad++;
  return bad;
}

const CASES: readonly { model: string; id: ModelId; torchName: (local: string) => TorchTarget | null }[] = [
  { model: 'ShuffleV1', id: 'shufflev1', torchName: shuffleV1TorchName },
  { model: 'ShuffleV2', id: 'shufflev2', torchName: shuffleV2TorchName },
];

describe('ShuffleNet parity with RepDistiller', () => {
  it.each(CASES)('$model: parameter count, eval logits and feature taps match PyTorch within 1e-4', ({ model, id, torchName }) => {
    const entry = parity.models.find((m) => m.model === model);
    if (!entry) throw new Error(`${model} is not in ${PARITY_DIR}/parity.json`);
    const net = buildNetwork(id, { numClasses: entry.numClasses, name: `parity-${id}`, seed: 1 });
    expect(net.params.trainableCount).toBe(entry.parameters);
    loadTorchWeights(net, checkpointTensors(entry.file), torchName);
    const x = testImages();
    const { logits, taps } = tf.tidy(() => {
      const out = net.apply(x, { training: false });
      const first = tf.slice(x, [0, 0, 0, 0], [1, 32, 32, 3]);
      const f = net.apply(first, { training: false }).features;
      const nchw = (t: tf.Tensor4D) => tf.transpose(t, [0, 3, 1, 2]).dataSync();
      return { logits: out.logits.dataSync(), taps: [nchw(f.stem), ...f.stages.map(nchw), f.penultimate.dataSync()] };
    });
    x.dispose();
    net.dispose();
    expect(mismatches(logits, entry.logits.flat())).toBe(0);
    expect(taps).toHaveLength(entry.features.length);
    entry.features.forEach((key, i) => {
      const expected = features.get(key);
      if (!expected) throw new Error(`${key} is not in features.safetensors`);
      expect(taps[i]!.length, key).toBe(expected.data.length);
      expect(mismatches(taps[i]!, expected.data), key).toBe(0);
    });
  });
});
