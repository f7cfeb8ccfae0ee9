/**
 * RepDistiller's CIFAR VGGs with BatchNorm (models/vgg.py): block0..4 are Sequentials of
 * [Conv2d, BatchNorm2d, ReLU] per unit (the block's last ReLU dropped), so unit u's conv is index 3u and
 * its BN 3u + 1; the pools are separate modules without parameters; `classifier` is one Linear.
 */
import { ruleMapper } from './rules';

const unitIndex = (match: RegExpMatchArray, offset: number) => 3 * Number(match[2]) + offset;

export const vggTorchName = ruleMapper([
  { local: /^block(\d+)\/unit(\d+)\/conv$/, torch: (m) => `block${m[1]}.${unitIndex(m, 0)}` },
  { local: /^block(\d+)\/unit(\d+)\/bn$/, torch: (m) => `block${m[1]}.${unitIndex(m, 1)}` },
  { local: /^classifier$/, torch: 'classifier' },
]);
