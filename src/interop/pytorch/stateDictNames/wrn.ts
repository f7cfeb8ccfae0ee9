/**
 * RepDistiller's Wide ResNets (models/wrn.py): a bare conv1 stem, block1..3 (NetworkBlocks) whose
 * `layer` Sequential holds pre-activation BasicBlocks (bn1, conv1, bn2, conv2, convShortcut where the
 * width changes), the final bn1, fc.
 */
import { ruleMapper } from './rules';

export const wrnTorchName = ruleMapper([
  { local: /^stem\/conv$/, torch: 'conv1' },
  { local: /^stage(\d+)\/block(\d+)\/(bn1|conv1|bn2|conv2)$/, torch: 'block$1.layer.$2.$3' },
  { local: /^stage(\d+)\/block(\d+)\/shortcut$/, torch: 'block$1.layer.$2.convShortcut' },
  { local: /^bn$/, torch: 'bn1' },
  { local: /^fc$/, torch: 'fc' },
]);
