/**
 * Local variable names of the ShuffleNets (shufflenetV1.ts, shufflenetV2.ts) to RepDistiller's state_dict
 * names (models/ShuffleNetv1.py, ShuffleNetv2.py) and the layout that converts between them.
 *
 * Grouped 1x1 kernels (ShuffleV1's conv1/conv3) are stored locally as [kh, kw, in / groups, out], PyTorch's
 * [out, in / groups, kh, kw] under the ordinary conv transpose, so they use the 'conv2d' layout.
 */
import type { TorchTarget } from './names';
import { batchNormTorchName } from './torchName';

/** Which convs of a block are depthwise, by conv number. */
type DepthwiseConvs = (block: number) => readonly number[];

function shuffleNetName(local: string, depthwiseConvs: DepthwiseConvs): TorchTarget | null {
  if (local === 'stem/conv/kernel') return { torch: 'conv1.weight', layout: 'conv2d' };
  if (local === 'conv2/conv/kernel') return { torch: 'conv2.weight', layout: 'conv2d' };
  if (local === 'fc/weight') return { torch: 'linear.weight', layout: 'dense' };
  if (local === 'fc/bias') return { torch: 'linear.bias', layout: 'vector' };
  const bn = /^(stem|conv2)\/bn\/(\w+)$/.exec(local);
  if (bn) return batchNormTorchName(bn[1] === 'stem' ? 'bn1' : 'bn2', bn[2]!);
  const conv = /^stage(\d)\/block(\d+)\/conv(\d)\/kernel$/.exec(local);
  if (conv) {
    const [, stage, block, index] = conv;
    const depthwise = depthwiseConvs(Number(block)).includes(Number(index));
    return { torch: `layer${stage}.${block}.conv${index}.weight`, layout: depthwise ? 'depthwise' : 'conv2d' };
  }
  const blockBn = /^stage(\d)\/block(\d+)\/(bn\d)\/(\w+)$/.exec(local);
  if (blockBn) return batchNormTorchName(`layer${blockBn[1]}.${blockBn[2]}.${blockBn[3]}`, blockBn[4]!);
  return null;
}

/** ShuffleV1: every bottleneck's conv2 is depthwise. */
export const shuffleV1TorchName = (local: string): TorchTarget | null => shuffleNetName(local, () => [2]);

/** ShuffleV2: a stage's block 0 is its DownBlock (conv1 and conv4 depthwise), the others BasicBlocks (conv2). */
export const shuffleV2TorchName = (local: string): TorchTarget | null => shuffleNetName(local, (block) => (block === 0 ? [1, 4] : [2]));
