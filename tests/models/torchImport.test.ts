/**
 * Import of PyTorch checkpoints into the zoo's saved-model files: architecture and class count from the
 * checkpoint, F16/BF16 safetensors, and refusals for wrong shapes and non-finite weights.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTorchCheckpoint } from '../../src/interop/pytorch/checkpoint';
import { parseModelJson, REPDISTILLER_CIFAR100_NORMALIZATION } from '../../src/contract/modelFile';
import { restoreNetwork } from '../../src/models/networkWeights';
import { importTorchCheckpoint } from '../../src/models/torch/importCheckpoint';
import { safetensorsBytes, type NamedValues, type SafetensorsDtype } from '../helpers/torchFiles';
import { parityDir } from '../helpers/torchParity';

const parityFile = (name: string) => new Uint8Array(readFileSync(resolve(parityDir(), name)));

/** resnet8's state_dict from the shared legacy checkpoint, as float32 values by PyTorch name. */
function resnet8Tensors(): Map<string, NamedValues> {
  const checkpoint = readTorchCheckpoint(parityFile('resnet8.legacy.pth'));
  return new Map([...checkpoint.tensors].map(([name, t]) => [name, { shape: t.shape, values: t.toFloat32() }]));
}

function asSafetensors(tensors: Map<string, NamedValues>, dtype: SafetensorsDtype = 'F32'): Uint8Array {
  return safetensorsBytes(tensors, dtype);
}

describe('importTorchCheckpoint', () => {
  it('imports a 100-class checkpoint (wrn_16_2) with CIFAR-100 normalisation, loadable as a network', () => {
    const imported = importTorchCheckpoint(parityFile('wrn_16_2.pth'), { fileName: 'wrn_16_2.pth' });
    expect([imported.model, imported.numClasses]).toEqual(['wrn_16_2', 100]);
    const json = parseModelJson(JSON.stringify(imported.json), { numClasses: 100 });
    expect(json.userDefinedMetadata.inputNormalization).toEqual(REPDISTILLER_CIFAR100_NORMALIZATION);
    expect(json.userDefinedMetadata.name).toBe('WRN-16-2 from wrn_16_2.pth');
    const net = restoreNetwork(json, imported.weights, 'import-wrn');
    expect(net.numClasses).toBe(100);
    net.dispose();
  });

  it('reads F16 and BF16 safetensors to float32 within their precision', () => {
    const tensors = resnet8Tensors();
    const reference = new Float32Array(importTorchCheckpoint(asSafetensors(tensors)).weights);
    for (const [dtype, precision] of [['F16', 2 ** -11], ['BF16', 2 ** -8]] as const) {
      const imported = importTorchCheckpoint(asSafetensors(tensors, dtype));
      expect(imported.model).toBe('resnet8');
      const weights = new Float32Array(imported.weights);
      expect(weights.length).toBe(reference.length);
      const worst = weights.reduce((max, w, i) => Math.max(max, Math.abs(w - reference[i]!) / Math.max(Math.abs(reference[i]!), 2 ** -14)), 0);
      expect(worst, dtype).toBeLessThanOrEqual(precision);
      expect(worst, `${dtype} is rounded, not float32`).toBeGreaterThan(0);
    }
  });

  it('refuses wrong shapes, naming the tensor and the closest zoo model', () => {
    const tensors = resnet8Tensors();
    const conv = tensors.get('layer3.0.conv2.weight')!;
    tensors.set('layer3.0.conv2.weight', { shape: [64, 64, 1, 1], values: conv.values.slice(0, 64 * 64) });
    expect(() => importTorchCheckpoint(asSafetensors(tensors))).toThrow(
      'This checkpoint matches no model of the zoo. The closest is ResNet-8 (resnet8), with 1 of another shape (first: "layer3.0.conv2.weight" is [64, 64, 1, 1] where ResNet-8 needs [64, 64, 3, 3]).',
    );
  });

  it('refuses names no zoo model has, saying which', () => {
    const tensors = resnet8Tensors();
    tensors.set('layer4.0.conv1.weight', { shape: [1], values: new Float32Array(1) });
    expect(() => importTorchCheckpoint(asSafetensors(tensors))).toThrow(/closest is ResNet-8 \(resnet8\), with 1 tensors it does not have \(first: "layer4\.0\.conv1\.weight"\)/);
  });

  it('refuses NaN weights, naming the tensor', () => {
    const tensors = resnet8Tensors();
    tensors.get('layer2.0.bn1.weight')!.values[3] = Number.NaN;
    expect(() => importTorchCheckpoint(asSafetensors(tensors))).toThrow('Tensor "layer2.0.bn1.weight" holds NaN or infinite values: refused.');
  });
});
