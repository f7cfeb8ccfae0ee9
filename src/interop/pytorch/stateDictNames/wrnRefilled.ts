/**
 * REFILLED's Wide ResNets (njulus/REFILLED, networks/wide_resnet.py `MyNetwork`): conv1 (with bias), layer1..3
 * Sequentials of BasicBlocks (bn1, conv1, dropout, bn2, conv2, and `shortcut`, a Sequential whose index 0 is
 * the 1x1 conv where the shape changes), the final `bn`, fc. Dropout and the pooling hold no tensors.
 */
import { ruleMapper } from './rules';

export const refilledWrnTorchName = ruleMapper([
  { local: /^stem\/conv$/, torch: 'conv1' },
  { local: /^stage(\d+)\/block(\d+)\/(bn1|conv1|bn2|conv2)$/, torch: 'layer$1.$2.$3' },
  { local: /^stage(\d+)\/block(\d+)\/shortcut$/, torch: 'layer$1.$2.shortcut.0' },
  { local: /^bn$/, torch: 'bn' },
  { local: /^fc$/, torch: 'fc' },
]);
