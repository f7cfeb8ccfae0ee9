/**
 * Local variable names of ResNet50 (resnetV2.ts) to RepDistiller's state_dict names (models/resnetv2.py)
 * and the layout that converts between them.
 */
import type { TorchTarget } from './names';
import { batchNormTorchName } from './torchName';

export function resnet50TorchName(local: string): TorchTarget | null {
  if (local === 'stem/conv/kernel') return { torch: 'conv1.weight', layout: 'conv2d' };
  if (local === 'fc/weight') return { torch: 'linear.weight', layout: 'dense' };
  if (local === 'fc/bias') return { torch: 'linear.bias', layout: 'vector' };
  const stemBn = /^stem\/bn\/(\w+)$/.exec(local);
  if (stemBn) return batchNormTorchName('bn1', stemBn[1]!);
  const block = /^stage(\d)\/block(\d+)\/(.+)$/.exec(local);
  if (!block) return null;
  const prefix = `layer${block[1]}.${block[2]}`;
  const rest = block[3]!;
  const conv = /^(conv\d)\/kernel$/.exec(rest);
  if (conv) return { torch: `${prefix}.${conv[1]}.weight`, layout: 'conv2d' };
  if (rest === 'shortcut/conv/kernel') return { torch: `${prefix}.shortcut.0.weight`, layout: 'conv2d' };
  const bn = /^(bn\d|shortcut\/bn)\/(\w+)$/.exec(rest);
  if (bn) return batchNormTorchName(`${prefix}.${bn[1] === 'shortcut/bn' ? 'shortcut.1' : bn[1]}`, bn[2]!);
  return null;
}
