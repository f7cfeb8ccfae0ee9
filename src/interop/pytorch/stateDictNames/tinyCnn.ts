/**
 * The tiny CNN is the playground's own (RepDistiller has none): its PyTorch names are the zoo's with dots,
 * `block{i}.conv`, `block{i}.bn`, `fc`, so that an exported tiny CNN still round-trips.
 */
import { ruleMapper } from './rules';

export const tinyCnnTorchName = ruleMapper([
  { local: /^block(\d+)\/(conv|bn)$/, torch: 'block$1.$2' },
  { local: /^fc$/, torch: 'fc' },
]);
