/**
 * The zoo's local variable names (`ParamStore`, e.g. `stage1/block0/conv1/kernel`) against the state_dict
 * names of RepDistiller's PyTorch models (`layer1.0.conv1.weight`), with the layout each tensor takes in
 * PyTorch (see `layout.ts` for the element order). One map per family, in the file of that family's name,
 * and a registry by model id: the `Record<ModelId, ...>` type makes a new zoo model fail to compile until
 * it says what its PyTorch names are. Pure and tfjs-free, for import (worker, CLI) and export alike.
 *
 * PyTorch's BatchNorm also stores `num_batches_tracked` (int64), which the zoo has no variable for: it is
 * not in this map; readers skip it and writers add it (`torchBatchNormCounters`).
 */
import type { ModelId } from '../../../contract/modelCatalog';
import { mobileNetV2TorchName } from './mobilenetV2';
import { resnetTorchName } from './resnet';
import { resnet50TorchName } from './resnet50';
import { shuffleV1TorchName, shuffleV2TorchName } from './shufflenet';
import { tinyCnnTorchName } from './tinyCnn';
import { vggTorchName } from './vgg';
import { wrnTorchName } from './wrn';
import { refilledWrnTorchName } from './wrnRefilled';

/**
 * How a tensor's elements are laid out in PyTorch, relative to tfjs:
 * - `conv2d`: tfjs [kh, kw, in, out], torch [out, in, kh, kw] (also a grouped conv, with in = in / groups);
 * - `depthwise`: tfjs [kh, kw, channels, 1], torch [channels, 1, kh, kw];
 * - `dense`: tfjs [in, out], torch [out, in];
 * - `vector`: the same 1-D tensor in both (biases, BatchNorm parameters and running statistics).
 */
export type TorchLayout = 'conv2d' | 'depthwise' | 'dense' | 'vector';

export interface TorchName {
  readonly local: string;
  readonly torch: string;
  readonly layout: TorchLayout;
}

/** What one local name becomes in PyTorch. */
export interface TorchTarget {
  readonly torch: string;
  readonly layout: TorchLayout;
}

/** A family's map: the PyTorch name and layout of one local name, or null when the family has no such name. */
export type TorchNameMap = (local: string) => TorchTarget | null;

const TORCH_NAME_MAPS: Readonly<Record<ModelId, TorchNameMap>> = {
  'tiny-cnn': tinyCnnTorchName,
  resnet8: resnetTorchName,
  resnet14: resnetTorchName,
  resnet20: resnetTorchName,
  resnet32: resnetTorchName,
  resnet44: resnetTorchName,
  resnet56: resnetTorchName,
  resnet110: resnetTorchName,
  resnet8x4: resnetTorchName,
  resnet32x4: resnetTorchName,
  resnet50: resnet50TorchName,
  // The data-free KD codes' ResNet-18/34 keep resnetv2's names (kuangliu's layout): conv1, bn1, layer*, shortcut.0|1, linear.
  resnet18_dfkd: resnet50TorchName,
  resnet34_dfkd: resnet50TorchName,
  wrn_16_1: wrnTorchName,
  wrn_16_2: wrnTorchName,
  wrn_40_1: wrnTorchName,
  wrn_40_2: wrnTorchName,
  wrn_16_1_refilled: refilledWrnTorchName,
  wrn_16_2_refilled: refilledWrnTorchName,
  wrn_40_1_refilled: refilledWrnTorchName,
  wrn_40_2_refilled: refilledWrnTorchName,
  vgg8: vggTorchName,
  vgg11: vggTorchName,
  vgg13: vggTorchName,
  vgg16: vggTorchName,
  vgg19: vggTorchName,
  mobilenetv2: mobileNetV2TorchName,
  shufflev1: shuffleV1TorchName,
  shufflev2: shuffleV2TorchName,
};

/** RepDistiller's `model_dict` key of each zoo model (the name its scripts and checkpoints use). */
export const REPDISTILLER_MODEL_NAME: Readonly<Partial<Record<ModelId, string>>> = {
  resnet8: 'resnet8',
  resnet14: 'resnet14',
  resnet20: 'resnet20',
  resnet32: 'resnet32',
  resnet44: 'resnet44',
  resnet56: 'resnet56',
  resnet110: 'resnet110',
  resnet8x4: 'resnet8x4',
  resnet32x4: 'resnet32x4',
  resnet50: 'ResNet50',
  wrn_16_1: 'wrn_16_1',
  wrn_16_2: 'wrn_16_2',
  wrn_40_1: 'wrn_40_1',
  wrn_40_2: 'wrn_40_2',
  vgg8: 'vgg8',
  vgg11: 'vgg11',
  vgg13: 'vgg13',
  vgg16: 'vgg16',
  vgg19: 'vgg19',
  mobilenetv2: 'MobileNetV2',
  shufflev1: 'ShuffleV1',
  shufflev2: 'ShuffleV2',
};

export function torchNameMap(model: ModelId): TorchNameMap {
  return TORCH_NAME_MAPS[model];
}

/**
 * Maps every local name of a `model` network (in order). Throws naming the first local name the family
 * has no PyTorch name for, or two local names that would share one PyTorch name.
 */
export function torchNames(model: ModelId, localNames: Iterable<string>): TorchName[] {
  const map = TORCH_NAME_MAPS[model];
  const seen = new Map<string, string>();
  const names: TorchName[] = [];
  for (const local of localNames) {
    const target = map(local);
    if (!target) throw new Error(`The ${model} variable "${local}" has no PyTorch name.`);
    const other = seen.get(target.torch);
    if (other !== undefined) throw new Error(`The ${model} variables "${other}" and "${local}" would both be PyTorch's "${target.torch}".`);
    seen.set(target.torch, local);
    names.push({ local, ...target });
  }
  return names;
}

const RUNNING_MEAN = '.running_mean';

/** The `num_batches_tracked` entries PyTorch keeps beside the BatchNorm layers among `names`, in order. */
export function torchBatchNormCounters(names: readonly TorchName[]): string[] {
  return names.filter((n) => n.torch.endsWith(RUNNING_MEAN)).map((n) => `${n.torch.slice(0, -RUNNING_MEAN.length)}.num_batches_tracked`);
}
