/**
 * What the page knows about each distillation method without loading tfjs: its paper, what it needs and
 * its hyper-parameters with reference defaults, ranges and a one-line explanation. The implementations
 * (worker side) are registered in `index.ts` and reference these specs; a test keeps both in step.
 *
 * Loss-weight names are the same in every method: `ceWeight` (cross-entropy), `alpha` (distillation
 * term), `beta` (feature term).
 */
export const METHOD_IDS = ['scratch', 'kd'] as const;
export type MethodId = (typeof METHOD_IDS)[number];

export interface ParamSpec {
  readonly key: string;
  readonly label: string;
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly step: number;
  readonly integer?: boolean;
  /** One line the config panel shows. */
  readonly help: string;
}

export interface MethodNeeds {
  /** How many frozen teachers the method distils from (0 for training from scratch). */
  readonly teachers: { readonly min: number; readonly max: number };
}

export interface MethodSpec {
  readonly id: MethodId;
  readonly label: string;
  readonly summary: string;
  readonly paper: { readonly title: string; readonly authors: string; readonly year: number; readonly url: string };
  readonly needs: MethodNeeds;
  readonly params: readonly ParamSpec[];
}

const temperature: ParamSpec = {
  key: 'T',
  label: 'Temperature T',
  default: 4,
  min: 0.5,
  max: 20,
  step: 0.5,
  help: 'Softens both distributions; higher T reveals more of the teacher\u2019s "dark knowledge".',
};

export const METHOD_CATALOG: Readonly<Record<MethodId, MethodSpec>> = {
  scratch: {
    id: 'scratch',
    label: 'Scratch (cross-entropy only)',
    summary: 'The student learns from the labels alone: the baseline every method is compared with.',
    paper: { title: 'Deep Residual Learning for Image Recognition', authors: 'He et al.', year: 2016, url: 'https://arxiv.org/abs/1512.03385' },
    needs: { teachers: { min: 0, max: 0 } },
    params: [],
  },
  kd: {
    id: 'kd',
    label: 'Hinton KD',
    summary: 'The student matches the teacher\u2019s softened class distribution (KL, T\u00b2, batch mean) plus the labels.',
    paper: { title: 'Distilling the Knowledge in a Neural Network', authors: 'Hinton, Vinyals, Dean', year: 2015, url: 'https://arxiv.org/abs/1503.02531' },
    needs: { teachers: { min: 1, max: 1 } },
    params: [
      temperature,
      { key: 'alpha', label: 'KD weight \u03b1', default: 0.9, min: 0, max: 10, step: 0.05, help: 'Weight of the distillation term (RepDistiller: 0.9).' },
      { key: 'ceWeight', label: 'CE weight', default: 0.1, min: 0, max: 10, step: 0.05, help: 'Weight of cross-entropy with the true labels (RepDistiller: 0.1).' },
    ],
  },
};

export function isMethodId(value: string): value is MethodId {
  return (METHOD_IDS as readonly string[]).includes(value);
}

/** The method's parameters at their reference defaults. */
export function defaultMethodParams(id: MethodId): Record<string, number> {
  return Object.fromEntries(METHOD_CATALOG[id].params.map((p) => [p.key, p.default]));
}
