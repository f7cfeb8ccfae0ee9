/**
 * RepDistiller's ShuffleNets (models/ShuffleNetv1.py, ShuffleNetv2.py): conv1/bn1 stem, layer1..3 of
 * blocks whose convolutions and BatchNorms are conv1..conv5 / bn1..bn5 (the zoo keeps those numbers),
 * `linear`; ShuffleV2 adds conv2/bn2 before the pool. The shuffles, splits and pools hold no parameters.
 *
 * ShuffleV1's grouped 1x1 kernels are kept locally as [kh, kw, in / groups, out] (models/grouped.ts), which
 * is PyTorch's [out, in / groups, kh, kw] under the plain conv permutation, so they take the `conv2d` layout.
 */
import { ruleMapper } from './rules';

const STEM_AND_HEAD = [
  { local: /^stem\/conv$/, torch: 'conv1' },
  { local: /^stem\/bn$/, torch: 'bn1' },
  { local: /^fc$/, torch: 'linear' },
] as const;

/** ShuffleV1: every bottleneck's conv2 is the depthwise one. */
export const shuffleV1TorchName = ruleMapper([
  ...STEM_AND_HEAD,
  { local: /^stage(\d)\/block(\d+)\/(conv2)$/, torch: 'layer$1.$2.$3', kernel: 'depthwise' },
  { local: /^stage(\d)\/block(\d+)\/(conv[13]|bn[123])$/, torch: 'layer$1.$2.$3' },
]);

/** ShuffleV2: block 0 of a stage is its DownBlock (conv1, conv4 depthwise), the others BasicBlocks (conv2). */
export const shuffleV2TorchName = ruleMapper([
  ...STEM_AND_HEAD,
  { local: /^conv2\/conv$/, torch: 'conv2' },
  { local: /^conv2\/bn$/, torch: 'bn2' },
  { local: /^stage(\d)\/block(0)\/(conv[14])$/, torch: 'layer$1.$2.$3', kernel: 'depthwise' },
  { local: /^stage(\d)\/block([1-9]\d*)\/(conv2)$/, torch: 'layer$1.$2.$3', kernel: 'depthwise' },
  { local: /^stage(\d)\/block(\d+)\/(conv[1-5]|bn[1-5])$/, torch: 'layer$1.$2.$3' },
]);
