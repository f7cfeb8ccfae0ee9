/**
 * RepDistiller's CIFAR ResNets (models/resnet.py): conv1/bn1 stem, layer1..3 of BasicBlocks with
 * conv1/bn1/conv2/bn2 and a `downsample` Sequential (0: 1x1 conv, 1: BN) where the shape changes, fc.
 */
import { ruleMapper } from './rules';

export const resnetTorchName = ruleMapper([
  { local: /^stem\/conv$/, torch: 'conv1' },
  { local: /^stem\/bn$/, torch: 'bn1' },
  { local: /^stage(\d+)\/block(\d+)\/(conv1|bn1|conv2|bn2)$/, torch: 'layer$1.$2.$3' },
  { local: /^stage(\d+)\/block(\d+)\/shortcut\/conv$/, torch: 'layer$1.$2.downsample.0' },
  { local: /^stage(\d+)\/block(\d+)\/shortcut\/bn$/, torch: 'layer$1.$2.downsample.1' },
  { local: /^fc$/, torch: 'fc' },
]);
