/**
 * RepDistiller's MobileNetV2 (models/mobilenetv2.py): conv1 = Sequential(conv, BN, ReLU); blocks.g.b.conv
 * = Sequential(1x1 expand 0, BN 1, ReLU 2, 3x3 depthwise 3, BN 4, ReLU 5, 1x1 project 6, BN 7);
 * conv2 = Sequential(1x1 conv, BN, ReLU); classifier = Sequential(Linear).
 */
import { ruleMapper } from './rules';

export const mobileNetV2TorchName = ruleMapper([
  { local: /^stem\/conv$/, torch: 'conv1.0' },
  { local: /^stem\/bn$/, torch: 'conv1.1' },
  { local: /^group(\d+)\/block(\d+)\/expand\/conv$/, torch: 'blocks.$1.$2.conv.0' },
  { local: /^group(\d+)\/block(\d+)\/expand\/bn$/, torch: 'blocks.$1.$2.conv.1' },
  { local: /^group(\d+)\/block(\d+)\/depthwise\/conv$/, torch: 'blocks.$1.$2.conv.3', kernel: 'depthwise' },
  { local: /^group(\d+)\/block(\d+)\/depthwise\/bn$/, torch: 'blocks.$1.$2.conv.4' },
  { local: /^group(\d+)\/block(\d+)\/project\/conv$/, torch: 'blocks.$1.$2.conv.6' },
  { local: /^group(\d+)\/block(\d+)\/project\/bn$/, torch: 'blocks.$1.$2.conv.7' },
  { local: /^conv2\/conv$/, torch: 'conv2.0' },
  { local: /^conv2\/bn$/, torch: 'conv2.1' },
  { local: /^classifier$/, torch: 'classifier.0' },
]);
