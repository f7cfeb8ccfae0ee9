/**
 * The PyTorch/safetensors reader on files the test builds (tests/helpers/torchFiles.ts) and on the shared
 * parity checkpoints: layouts, strided tensors, and one clear refusal per broken or unsafe input.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTorchCheckpoint } from '../../src/interop/pytorch/checkpoint';
import { trainingRecordWords } from '../../src/interop/pytorch/trainingRecord';
import { parityDir } from '../helpers/torchParity';
import { PickleBytes, torchZip } from '../helpers/torchFiles';

const parityFile = (name: string) => new Uint8Array(readFileSync(resolve(parityDir(), name)));

/** {'model': {'module.fc.weight': [[0, 2, 4, 6], [1, 3, 5, 7]] (a transposed view), 'module.fc.bias': [1, 2]}, 'epoch': 3} */
function modelKeyCheckpoint(): Uint8Array {
  const p = new PickleBytes().emptyDict().mark().str('model').emptyDict().mark();
  p.str('module.fc.weight').tensor('0', 8, [2, 4], [1, 2]);
  p.str('module.fc.bias').tensor('1', 2, [2], [1]);
  p.str('module.bn.num_batches_tracked').tensor('1', 2, [], [], 1);
  p.setItems().str('epoch').int(3).setItems().stop();
  return torchZip(p.bytes(), { '0': Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), '1': Float32Array.from([1, 2]) });
}

describe('readTorchCheckpoint', () => {
  it("reads every layout of the shared checkpoints and RepDistiller's training checkpoint", () => {
    const training = readTorchCheckpoint(parityFile('resnet20.pth'));
    expect([training.format, training.layout]).toEqual(['torch-zip', 'training-checkpoint']);
    expect(training.tensors.get('conv1.weight')!.shape).toEqual([16, 3, 3, 3]);
    expect([...training.tensors.keys()].some((k) => k.includes('num_batches_tracked'))).toBe(false);
    const legacy = readTorchCheckpoint(parityFile('resnet8.legacy.pth'));
    expect([legacy.format, legacy.layout]).toEqual(['torch-legacy', 'state_dict']);
    const parallel = readTorchCheckpoint(parityFile('MobileNetV2.pth'));
    expect([parallel.layout, parallel.strippedModulePrefix]).toEqual(['state_dict-key', true]);
    expect(parallel.tensors.has('classifier.0.weight')).toBe(true);
    expect(readTorchCheckpoint(parityFile('vgg8.safetensors')).format).toBe('safetensors');
  });

  it("reads {'model': ...} with module. prefixes and a non-contiguous tensor, in PyTorch's element order", () => {
    const checkpoint = readTorchCheckpoint(modelKeyCheckpoint());
    expect([checkpoint.layout, checkpoint.strippedModulePrefix]).toEqual(['model-key', true]);
    expect([...checkpoint.tensors.keys()]).toEqual(['fc.weight', 'fc.bias']);
    expect(Array.from(checkpoint.tensors.get('fc.weight')!.toFloat32())).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
  });

  it('refuses an empty file', () => {
    expect(() => readTorchCheckpoint(new Uint8Array(0))).toThrow('The file is empty.');
  });

  it('refuses a file that is no checkpoint', () => {
    expect(() => readTorchCheckpoint(new TextEncoder().encode('hello, not a model'))).toThrow(/neither a PyTorch checkpoint .* nor a \.safetensors file/);
  });

  it('refuses a truncated zip', () => {
    const bytes = parityFile('resnet20.pth');
    expect(() => readTorchCheckpoint(bytes.subarray(0, Math.floor(bytes.length * 0.6)))).toThrow(/zip archive is damaged or cut short/);
  });

  it('refuses a truncated legacy checkpoint and a truncated safetensors file', () => {
    const legacy = parityFile('resnet8.legacy.pth');
    expect(() => readTorchCheckpoint(legacy.subarray(0, legacy.length - 1000))).toThrow(/cut short inside the data of storage/);
    const safetensors = parityFile('resnet8x4.safetensors');
    expect(() => readTorchCheckpoint(safetensors.subarray(0, safetensors.length - 1000))).toThrow(/safetensors file is cut short: tensor "fc\.\w+" ends at byte/);
  });

  /** wrn_16_2.pth with the central directory (PK\1\2 headers) declaring `size` bytes for the named entries. */
  function declaring(size: number, targets: readonly string[], compressedToo: boolean): Uint8Array {
    const bytes = parityFile('wrn_16_2.pth').slice();
    const view = new DataView(bytes.buffer);
    let patched = 0;
    // The compressed size is at +20, the uncompressed size at +24, the name length at +28, the name at +46.
    for (let at = 0; at + 46 < bytes.length; at++) {
      if (view.getUint32(at, true) !== 0x02014b50) continue;
      const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + view.getUint16(at + 28, true)));
      if (!targets.includes(name)) continue;
      view.setUint32(at + 24, size, true);
      if (compressedToo) view.setUint32(at + 20, size, true);
      patched++;
    }
    expect(patched).toBe(targets.length);
    return bytes;
  }

  it('refuses a zip entry that declares more bytes than any tensor may take, before inflating it', () => {
    const bytes = declaring(0xf0000000, ['wrn_16_2/data/0'], false);
    expect(() => readTorchCheckpoint(bytes)).toThrow(`The zip entry "wrn_16_2/data/0" declares ${0xf0000000} bytes, more than the 512 MB any tensor here may take: refused before reading it.`);
  });

  it('refuses entries that together declare more than a checkpoint may take, before inflating them', () => {
    const bytes = declaring(0x18000000, ['wrn_16_2/data/0', 'wrn_16_2/data/1', 'wrn_16_2/data/2'], true);
    const tensor = readTorchCheckpoint(bytes).tensors.get('conv1.weight')!;
    expect(() => tensor.toFloat32()).toThrow(/entries declare \d+ bytes together, more than the 1 GB a checkpoint here may take: refused before reading them/);
  });

  it('refuses a pickle naming another global, by name, also outside the state_dict', () => {
    const system = new PickleBytes().global('posix', 'system').mark().str('echo owned').tuple().reduce().stop();
    expect(() => readTorchCheckpoint(torchZip(system.bytes()))).toThrow('The file\'s pickle names the global posix.system, which a state_dict never needs: refused (nothing in the file was run).');
    const hidden = new PickleBytes().emptyDict().mark().str('model').orderedDict().str('optimizer').global('builtins', 'eval').mark().str('1').tuple().reduce().setItems().stop();
    expect(() => readTorchCheckpoint(torchZip(hidden.bytes()))).toThrow(/names the global builtins\.eval/);
  });

  it("reads a training script's argparse options and a tensor accuracy as its record; odd values are passed over", () => {
    // {'opt': Namespace(model='resnet8', dataset='cifar100', epochs=240, path_t=os?), 'accuracy': tensor([71.5]), 'epoch': 3.5, 'model': {...}}
    const p = new PickleBytes().emptyDict().mark().str('opt').global('argparse', 'Namespace').emptyTuple().newObj().emptyDict().mark();
    p.str('model').str('resnet8').str('dataset').str('cifar100').str('epochs').int(240).str('model_s').str('a b; rm -rf').setItems().build();
    p.str('accuracy').tensor('0', 1, [1], [1]).str('best_acc').str('99').str('epoch').str('240');
    p.str('model').orderedDict().mark().str('fc.bias').tensor('1', 2, [2], [1]).setItems().str('optimizer').emptyDict().setItems().stop();
    const checkpoint = readTorchCheckpoint(torchZip(p.bytes(), { '0': Float32Array.from([71.5]), '1': Float32Array.from([1, 2]) }));
    expect(checkpoint.layout).toBe('training-checkpoint');
    expect(checkpoint.record).toEqual({ accuracy: { key: 'accuracy', value: 0.715 }, options: { model: 'resnet8', dataset: 'cifar100', epochs: 240 } });
    expect(trainingRecordWords(checkpoint.record)).toBe("test accuracy 71.50% ('accuracy'), opt.model resnet8, opt.dataset cifar100, opt.epochs 240");
    expect(readTorchCheckpoint(modelKeyCheckpoint()).record).toEqual({ epoch: 3 });
    expect(readTorchCheckpoint(parityFile('resnet8.legacy.pth')).record).toBeUndefined();
    expect(trainingRecordWords(undefined)).toBeNull();
  });

  it('refuses a whole pickled nn.Module, naming its class', () => {
    // What torch.save(model) writes: the class, NEWOBJ, then BUILD with the module's __dict__.
    const p = new PickleBytes().global('models.resnet', 'ResNet').emptyTuple().newObj().emptyDict().mark();
    p.str('training').newTrue().str('_parameters').orderedDict().str('_modules').orderedDict().setItems().build().stop();
    expect(() => readTorchCheckpoint(torchZip(p.bytes()))).toThrow(/whole pickled PyTorch model \(nn\.Module of class models\.resnet\.ResNet\), not a state_dict/);
  });

  it('refuses a TorchScript archive, saying so', () => {
    const code = new TextEncoder().encode('class Net(Module):\n  pass\n');
    const bytes = torchZip(new PickleBytes().emptyDict().stop().bytes(), {}, { 'archive/code/__torch__/net.py': code, 'archive/constants.pkl': new PickleBytes().emptyTuple().stop().bytes() });
    expect(() => readTorchCheckpoint(bytes)).toThrow(/This is a TorchScript archive \(torch\.jit\.save\)/);
  });

  it('refuses a tensor reaching past its storage, before decoding', () => {
    const p = new PickleBytes().orderedDict().mark().str('w').tensor('0', 4, [2, 4], [4, 1]).setItems().stop();
    expect(() => readTorchCheckpoint(torchZip(p.bytes(), { '0': new Float32Array(4) }))).toThrow(/reaches element 7 of a storage of 4/);
  });
});
