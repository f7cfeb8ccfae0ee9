/**
 * Model id -> builder. A flat registry: the `Record<ModelId, ...>` type makes a new id in `catalog.ts`
 * fail to compile until it has a builder here.
 */
import type { ModelId } from '../contract/modelCatalog';
import { mobileNetV2 } from './mobilenetV2';
import type { Network, NetworkOptions } from './network';
import { resnet } from './resnet';
import { dfkdResNet } from './resnetDfkd';
import { resnet50 } from './resnetV2';
import { shuffleNetV1 } from './shufflenetV1';
import { shuffleNetV2 } from './shufflenetV2';
import { tinyCnn } from './tinyCnn';
import { vgg } from './vgg';
import { wrn } from './wrn';
import { refilledWrn } from './wrnRefilled';

type Builder = (options: NetworkOptions) => Network;

const BUILDERS: Readonly<Record<ModelId, Builder>> = {
  'tiny-cnn': tinyCnn,
  resnet8: (options) => resnet('resnet8', options),
  resnet14: (options) => resnet('resnet14', options),
  resnet20: (options) => resnet('resnet20', options),
  resnet32: (options) => resnet('resnet32', options),
  resnet44: (options) => resnet('resnet44', options),
  resnet56: (options) => resnet('resnet56', options),
  resnet110: (options) => resnet('resnet110', options),
  resnet8x4: (options) => resnet('resnet8x4', options),
  resnet32x4: (options) => resnet('resnet32x4', options),
  wrn_16_1: (options) => wrn('wrn_16_1', options),
  wrn_16_2: (options) => wrn('wrn_16_2', options),
  wrn_40_1: (options) => wrn('wrn_40_1', options),
  wrn_40_2: (options) => wrn('wrn_40_2', options),
  wrn_16_1_refilled: (options) => refilledWrn('wrn_16_1_refilled', options),
  wrn_16_2_refilled: (options) => refilledWrn('wrn_16_2_refilled', options),
  wrn_40_1_refilled: (options) => refilledWrn('wrn_40_1_refilled', options),
  wrn_40_2_refilled: (options) => refilledWrn('wrn_40_2_refilled', options),
  vgg8: (options) => vgg('vgg8', options),
  vgg11: (options) => vgg('vgg11', options),
  resnet50,
  resnet18_dfkd: (options) => dfkdResNet('resnet18_dfkd', options),
  resnet34_dfkd: (options) => dfkdResNet('resnet34_dfkd', options),
  vgg13: (options) => vgg('vgg13', options),
  vgg16: (options) => vgg('vgg16', options),
  vgg19: (options) => vgg('vgg19', options),
  mobilenetv2: mobileNetV2,
  shufflev1: shuffleNetV1,
  shufflev2: shuffleNetV2,
};

export function buildNetwork(id: ModelId, options: NetworkOptions): Network {
  return BUILDERS[id](options);
}
