/**
 * One broken or unsafe PyTorch file per way a checkpoint can be wrong, built from the shared parity
 * checkpoints and hand-written pickle bytes, with the message a user must see. The Node test reads each
 * through the worker's reader; the page test picks each in the Saved models panel.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readTorchCheckpoint } from '../../src/interop/pytorch/checkpoint';
import { PickleBytes, safetensorsBytes, torchZip, type NamedValues } from './torchFiles';

export interface BrokenTorchFile {
  /** What is wrong, in words (the test's label). */
  readonly what: string;
  readonly fileName: string;
  readonly bytes: Uint8Array;
  /** The message: it names the file and what is wrong with it. */
  readonly message: RegExp;
}

/** `bytes` (a zip) with the central directory declaring `size` uncompressed bytes for the entry `name`. */
export function declaringEntrySize(zip: Uint8Array, name: string, size: number): Uint8Array {
  const bytes = zip.slice();
  const view = new DataView(bytes.buffer);
  // The uncompressed size is at +24 of a PK\1\2 header, the name length at +28, the name at +46.
  for (let at = 0; at + 46 < bytes.length; at++) {
    if (view.getUint32(at, true) !== 0x02014b50) continue;
    if (new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + view.getUint16(at + 28, true))) !== name) continue;
    view.setUint32(at + 24, size, true);
    return bytes;
  }
  throw new Error(`no zip entry ${name}`);
}

/** resnet8's state_dict (parity's legacy checkpoint) as float32 values by PyTorch name. */
function resnet8Tensors(parityDir: string): Map<string, NamedValues> {
  const checkpoint = readTorchCheckpoint(new Uint8Array(readFileSync(resolve(parityDir, 'resnet8.legacy.pth'))));
  return new Map([...checkpoint.tensors].map(([name, t]) => [name, { shape: t.shape, values: t.toFloat32().slice() }]));
}

export function brokenTorchFiles(parityDir: string): BrokenTorchFile[] {
  const parity = (file: string) => new Uint8Array(readFileSync(resolve(parityDir, file)));
  const resnet20 = parity('resnet20.pth');
  const system = new PickleBytes().global('os', 'system').mark().str('ls').tuple().reduce().stop();
  // What torch.save(model) writes: the class, NEWOBJ, then BUILD with the module's __dict__.
  const module = new PickleBytes().global('models.resnet', 'ResNet').emptyTuple().newObj().emptyDict().mark();
  module.str('training').newTrue().str('_parameters').orderedDict().str('_modules').orderedDict().setItems().build().stop();
  // RepDistiller's `opt` record is read, but a global hidden in its state is refused like any other.
  const hiddenInOptions = new PickleBytes().emptyDict().mark().str('opt').global('argparse', 'Namespace').emptyTuple().newObj().emptyDict().mark();
  hiddenInOptions.str('model').global('os', 'system').mark().str('ls').tuple().reduce().setItems().build();
  hiddenInOptions.str('model').orderedDict().str('optimizer').emptyDict().setItems().stop();
  const torchScript = torchZip(new PickleBytes().emptyDict().stop().bytes(), {}, {
    'archive/code/__torch__/net.py': new TextEncoder().encode('class Net(Module):\n  pass\n'),
    'archive/constants.pkl': new PickleBytes().emptyTuple().stop().bytes(),
  });
  const wrongShape = resnet8Tensors(parityDir);
  wrongShape.set('layer3.0.conv2.weight', { shape: [64, 64, 1, 1], values: wrongShape.get('layer3.0.conv2.weight')!.values.slice(0, 64 * 64) });
  const withNaN = resnet8Tensors(parityDir);
  withNaN.get('layer2.0.bn1.weight')!.values[3] = Number.NaN;
  return [
    { what: 'an empty file', fileName: 'empty.pth', bytes: new Uint8Array(0), message: /empty\.pth .*(is )?empty/ },
    { what: 'a truncated zip', fileName: 'truncated.pth', bytes: resnet20.subarray(0, Math.floor(resnet20.length * 0.6)), message: /truncated\.pth was not imported: .*zip archive is damaged or cut short/ },
    { what: 'an oversized zip entry', fileName: 'huge-entry.pth', bytes: declaringEntrySize(parity('wrn_16_2.pth'), 'wrn_16_2/data/0', 0xf0000000), message: /huge-entry\.pth was not imported: The zip entry "wrn_16_2\/data\/0" declares 4026531840 bytes, more than the 512 MB/ },
    { what: 'a pickle naming another global', fileName: 'evil.pth', bytes: torchZip(system.bytes()), message: /evil\.pth was not imported: .*names the global os\.system, which a state_dict never needs/ },
    { what: "a global inside a training script's options", fileName: 'resnet8_last.pth', bytes: torchZip(hiddenInOptions.bytes()), message: /resnet8_last\.pth was not imported: .*names the global os\.system, which a state_dict never needs/ },
    { what: 'a whole pickled nn.Module', fileName: 'whole-model.pth', bytes: torchZip(module.bytes()), message: /whole-model\.pth was not imported: .*whole pickled PyTorch model \(nn\.Module of class models\.resnet\.ResNet\)/ },
    { what: 'a TorchScript archive', fileName: 'scripted.pt', bytes: torchScript, message: /scripted\.pt was not imported: This is a TorchScript archive/ },
    { what: 'wrong shapes', fileName: 'wrong-shape.safetensors', bytes: safetensorsBytes(wrongShape, 'F32'), message: /wrong-shape\.safetensors was not imported: .*closest is ResNet-8 \(resnet8\).*"layer3\.0\.conv2\.weight" is \[64, 64, 1, 1\] where ResNet-8 needs \[64, 64, 3, 3\]/ },
    { what: 'NaN weights', fileName: 'nan.safetensors', bytes: safetensorsBytes(withNaN, 'F32'), message: /nan\.safetensors was not imported: Tensor "layer2\.0\.bn1\.weight" holds NaN or infinite values/ },
  ];
}
