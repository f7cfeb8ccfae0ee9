/**
 * The machinery every family's name map shares: a zoo local name is a module path plus one parameter
 * (`stage1/block0/conv1` + `kernel`); a family maps the module path by rules, and the parameter maps the
 * same way in every family (a conv `kernel` is PyTorch's `weight`, BatchNorm's `gamma`/`beta`/running
 * statistics are `weight`/`bias`/`running_mean`/`running_var`).
 */
import type { TorchLayout, TorchTarget } from './names';

/** The last segment of every zoo variable name (see `layers.ts`, `depthwise.ts`). */
const TORCH_PARAMETER = {
  kernel: 'weight',
  bias: 'bias',
  weight: 'weight',
  gamma: 'weight',
  beta: 'bias',
  runningMean: 'running_mean',
  runningVariance: 'running_var',
} as const;

type ZooParameter = keyof typeof TORCH_PARAMETER;

/** One module-path rule: the local module path it matches and the PyTorch module path it becomes. */
export interface ModuleRule {
  readonly local: RegExp;
  /** A `String.replace` template (`layer$1.$2.$3`) or a function of the match, for index arithmetic. */
  readonly torch: string | ((match: RegExpMatchArray) => string);
  /** The layout of this module's `kernel`: a plain convolution unless said otherwise. */
  readonly kernel?: Extract<TorchLayout, 'conv2d' | 'depthwise'>;
}

/** A family's map from its rules: the first rule whose pattern matches the whole module path wins. */
export function ruleMapper(rules: readonly ModuleRule[]): (local: string) => TorchTarget | null {
  return (local) => {
    const cut = local.lastIndexOf('/');
    const parameter = local.slice(cut + 1);
    if (cut < 0 || !Object.hasOwn(TORCH_PARAMETER, parameter)) return null;
    const module = local.slice(0, cut);
    for (const rule of rules) {
      const match = module.match(rule.local);
      if (!match) continue;
      const torchModule = typeof rule.torch === 'string' ? module.replace(rule.local, rule.torch) : rule.torch(match);
      return { torch: `${torchModule}.${TORCH_PARAMETER[parameter as ZooParameter]}`, layout: layoutOf(parameter as ZooParameter, rule) };
    }
    return null;
  };
}

function layoutOf(parameter: ZooParameter, rule: ModuleRule): TorchLayout {
  if (parameter === 'kernel') return rule.kernel ?? 'conv2d';
  // In the zoo only linear layers name their matrix `weight` (convolutions call it `kernel`).
  if (parameter === 'weight') return 'dense';
  return 'vector';
}
