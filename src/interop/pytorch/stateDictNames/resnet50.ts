/**
 * RepDistiller's ResNet50 (models/resnetv2.py): conv1/bn1 stem, layer1..4 of Bottlenecks with
 * conv1..3/bn1..3 and a `shortcut` Sequential (0: 1x1 conv, 1: BN) where the shape changes, `linear`.
 * The data-free KD codes' ResNet-18/34 (TA-DFKD networks/resnet.py) have the same names with BasicBlocks
 * (conv1, bn1, conv2, bn2, shortcut.0|1), so they share this map.
 */
import { ruleMapper } from './rules';

export const resnet50TorchName = ruleMapper([
  { local: /^stem\/conv$/, torch: 'conv1' },
  { local: /^stem\/bn$/, torch: 'bn1' },
  { local: /^stage(\d)\/block(\d+)\/(conv[123]|bn[123])$/, torch: 'layer$1.$2.$3' },
  { local: /^stage(\d)\/block(\d+)\/shortcut\/conv$/, torch: 'layer$1.$2.shortcut.0' },
  { local: /^stage(\d)\/block(\d+)\/shortcut\/bn$/, torch: 'layer$1.$2.shortcut.1' },
  { local: /^fc$/, torch: 'linear' },
]);
