/**
 * What the page knows about each distillation method without loading tfjs: its paper, what it needs and
 * its hyper-parameters with reference defaults, ranges and a one-line explanation. The implementations
 * (worker side) are registered in `index.ts` and reference these specs; a test keeps both in step.
 *
 * Loss-weight names are the same in every method: `ceWeight` (cross-entropy), `alpha` (distillation
 * term), `beta` (feature term). Defaults are each method's reference code's (../shared/spec/methods.md).
 */
export const METHOD_IDS = ['scratch', 'kd', 'logit-mse', 'fitnet', 'oracle', 'aver-mkd', 'fitnet-mkd', 'ebkd', 'aekd', 'camkd', 'refilled', 'ta-dfkd', 'dfkd-basic', 'custom'] as const;
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
  /** A choice among named options: the value is the option's index (the form shows a menu). */
  readonly choices?: readonly string[];
}

/** A stage of a multi-stage method; every stage but the last has its own epoch count, the last runs `epochs`. */
export interface StageSpec {
  readonly id: string;
  readonly label: string;
  /** The method parameter holding this stage's epochs (absent for the last, main stage). */
  readonly epochsParam?: string;
  /**
   * The method parameter that, at 1, gives this stage its reference's own rate: cosine from `lr` down to
   * `lr`/10 over the stage's epochs, whatever the run's schedule (REFILLED's stage 1). At 0 the stage runs the
   * run's schedule over its epochs.
   */
  readonly cosineToTenthParam?: string;
}

export interface MethodNeeds {
  /** How many frozen teachers the method distils from (0 for training from scratch). */
  readonly teachers: { readonly min: number; readonly max: number };
  /** The method scores student features with each teacher's head on its last stage (CA-MKD). */
  readonly teacherHeadOnLastStage?: boolean;
  /** Stages in order (REFILLED); absent means one stage. */
  readonly stages?: readonly StageSpec[];
  /** The student never sees a training image: a generator makes its inputs (the teachers still train on data). */
  readonly dataFree?: boolean;
  /** The method reads only the teachers' logits (no features, no teacher network), so they can be computed once. */
  readonly teacherLogitsOnly?: boolean;
  /** The loss is the person's own code: it runs only in a run they agreed to, never to time an estimate. */
  readonly userCode?: boolean;
}

export interface MethodSpec {
  readonly id: MethodId;
  readonly label: string;
  readonly summary: string;
  readonly paper: { readonly title: string; readonly authors: string; readonly year: number; readonly url: string };
  readonly needs: MethodNeeds;
  readonly params: readonly ParamSpec[];
  /** What the method's diagnostics are, for the panel that plots them. */
  readonly diagnostics?: string;
}

const temperature = (value: number): ParamSpec => ({
  key: 'T',
  label: 'Temperature T',
  default: value,
  min: 0.5,
  max: 20,
  step: 0.5,
  help: 'Softens both distributions; higher T reveals more of the teacher\u2019s "dark knowledge".',
});
const ceWeight = (value: number, source: string): ParamSpec => ({ key: 'ceWeight', label: 'CE weight', default: value, min: 0, max: 10, step: 0.05, help: `Weight of cross-entropy with the true labels (${source}: ${value}).` });
const alpha = (value: number, source: string): ParamSpec => ({ key: 'alpha', label: 'KD weight \u03b1', default: value, min: 0, max: 10, step: 0.05, help: `Weight of the distillation term (${source}: ${value}).` });
const beta = (value: number, what: string): ParamSpec => ({ key: 'beta', label: 'Feature weight \u03b2', default: value, min: 0, max: 1000, step: 1, help: `Weight of the ${what} (reference: ${value}).` });
const teachers: ParamSpec = { key: 'teachers', label: 'Teachers', default: 3, min: 2, max: 5, step: 1, integer: true, help: 'How many teachers, trained with different seeds (CA-MKD setup: 3).' };
const multiTeacher = { teachers: { min: 2, max: 5 } } as const;
const oneTeacherLogits = { teachers: { min: 1, max: 1 }, teacherLogitsOnly: true } as const;
const multiTeacherLogits = { ...multiTeacher, teacherLogitsOnly: true } as const;
/** The oracle's relevance rules, by index (its `rule` parameter). */
export const RELEVANCE_RULES = ['Gradient \u00d7 input (reference)', 'LRP-\u03b5', 'LRP-\u03b3', 'LRP-z\u207a'] as const;
const TA_DFKD_PAPER = { title: 'Teacher as a Lenient Expert: Teacher-Agnostic Data-Free Knowledge Distillation', authors: 'Shin, Choi', year: 2024, url: 'https://arxiv.org/abs/2402.12406' };
const dfkdParams: ParamSpec[] = [
  { key: 'studentSteps', label: 'Student steps per generator step', default: 10, min: 1, max: 50, step: 1, integer: true, help: 'The generator updates once after this many student steps (reference: 10).' },
  { key: 'generatorLr', label: 'Generator learning rate', default: 1e-3, min: 1e-5, max: 0.1, step: 1e-4, help: 'Adam step size of the generator (reference: 1e-3).' },
  { key: 'ngf', label: 'Generator width', default: 64, min: 4, max: 64, step: 4, integer: true, help: 'Channels of the generator\u2019s last convolutions (reference ngf: 64; smaller is faster).' },
  { key: 'nz', label: 'Noise size', default: 1000, min: 8, max: 1000, step: 1, integer: true, help: 'Length of the noise vector z the generator starts from (reference nz: 1000).' },
  {
    key: 'bnsWeight',
    label: 'BN-statistics weight',
    default: 10,
    min: 0,
    max: 100,
    step: 1,
    help: 'Pulls the generated batch\u2019s statistics toward the teacher\u2019s BatchNorm running statistics (reference: 10).',
  },
];
const CAMKD_PAPER = { title: 'Confidence-Aware Multi-Teacher Knowledge Distillation', authors: 'Zhang, Chen, Wang', year: 2022, url: 'https://arxiv.org/abs/2201.00007' };
const FITNETS_PAPER = { title: 'FitNets: Hints for Thin Deep Nets', authors: 'Romero et al.', year: 2015, url: 'https://arxiv.org/abs/1412.6550' };

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
    needs: oneTeacherLogits,
    params: [temperature(4), alpha(0.9, 'RepDistiller'), ceWeight(0.1, 'RepDistiller')],
  },
  'logit-mse': {
    id: 'logit-mse',
    label: 'Logit MSE',
    summary: 'The student regresses the teacher\u2019s logits (mean squared error); this replaces the whole loss: no labels, no temperature.',
    paper: { title: 'Comparing Kullback-Leibler Divergence and Mean Squared Error Loss in Knowledge Distillation', authors: 'Kim et al.', year: 2021, url: 'https://arxiv.org/abs/2105.08919' },
    needs: oneTeacherLogits,
    params: [],
  },
  fitnet: {
    id: 'fitnet',
    label: 'FitNets (hint)',
    summary: 'A regressor maps the student\u2019s middle feature map onto the teacher\u2019s (MSE), trained jointly with the student.',
    paper: FITNETS_PAPER,
    needs: { teachers: { min: 1, max: 1 } },
    params: [beta(100, 'hint loss'), ceWeight(1, 'RepDistiller'), alpha(0, 'RepDistiller'), temperature(4)],
  },
  oracle: {
    id: 'oracle',
    label: 'Explainable oracle KD',
    summary: 'The teacher sees relevance-reinforced inputs x* = x \u2212 \u03b3\u00b7(\u2202CE/\u2202x)\u00b7|x| (gradient \u00d7 input, true labels); the student sees x.',
    paper: { title: 'Distillation for High-Quality Knowledge Extraction via Explainable Oracle Approach', authors: 'Lee et al.', year: 2023, url: 'https://github.com/myunghakLee/Distillation-for-High-Quality-Knowledge-Extraction' },
    needs: { teachers: { min: 1, max: 1 } },
    params: [
      { key: 'gamma', label: 'Relevance step \u03b3', default: 0.2, min: 0, max: 20, step: 0.1, help: 'How far x* moves along the relevance; 0 is plain KD (reference README run: 0.2).' },
      { key: 'steps', label: 'Relevance steps', default: 1, min: 1, max: 5, step: 1, integer: true, help: 'Repeat the step on x* (the reference\u2019s rec_num, default 1).' },
      {
        key: 'rule',
        label: 'Relevance rule',
        default: 0,
        min: 0,
        max: RELEVANCE_RULES.length - 1,
        step: 1,
        integer: true,
        choices: RELEVANCE_RULES,
        help: 'Gradient \u00d7 input is the reference code; the LRP rules propagate the true class\u2019s logit layer by layer (x* = x + (\u03b3/B)\u00b7sign(x)\u00b7R).',
      },
      temperature(1.5),
      alpha(1, 'reference README'),
      ceWeight(1, 'reference README'),
    ],
  },
  'aver-mkd': {
    id: 'aver-mkd',
    label: 'AVER-MKD (average of teachers)',
    summary: 'KD from each teacher, averaged with equal weights.',
    paper: { title: 'Learning from Multiple Teacher Networks', authors: 'You et al.', year: 2017, url: 'https://doi.org/10.1145/3097983.3098135' },
    needs: multiTeacherLogits,
    params: [teachers, temperature(4), alpha(1, 'CA-MKD scripts'), ceWeight(1, 'CA-MKD scripts')],
  },
  'fitnet-mkd': {
    id: 'fitnet-mkd',
    label: 'FitNet-MKD',
    summary: 'AVER-MKD plus one hint regressor per teacher, averaged.',
    paper: FITNETS_PAPER,
    needs: multiTeacher,
    params: [
      teachers,
      beta(100, 'averaged hint loss'),
      { key: 'detachHint', label: 'Reference-exact (detached hint)', default: 0, min: 0, max: 1, step: 1, integer: true, help: '1 reproduces the CA-MKD repo bug: the hint term is detached, so it trains nothing and the method equals AVER.' },
      temperature(4),
      alpha(1, 'CA-MKD scripts'),
      ceWeight(1, 'CA-MKD scripts'),
    ],
  },
  ebkd: {
    id: 'ebkd',
    diagnostics: 'Teacher weights the method computes for each batch (mean over the batch); equal weights would be plain averaging.',
    label: 'EBKD (entropy-weighted teachers)',
    summary: 'Each teacher\u2019s per-sample KL is weighted by 1 \u2212 H / \u03a3H: confident (low-entropy) teachers count more.',
    paper: { title: 'Adaptive Knowledge Distillation Based on Entropy', authors: 'Kwon et al.', year: 2020, url: 'https://doi.org/10.1109/ICASSP40776.2020.9054698' },
    needs: multiTeacherLogits,
    params: [teachers, temperature(4), alpha(1, 'CA-MKD scripts'), ceWeight(1, 'CA-MKD scripts')],
  },
  aekd: {
    id: 'aekd',
    diagnostics: 'Teacher weights the method computes for each batch (mean over the batch); equal weights would be plain averaging.',
    label: 'AEKD (gradient-space ensemble)',
    summary: 'Teacher weights solve a small QP each batch so the combined KD gradient agrees with as many teachers as possible.',
    paper: { title: 'Agree to Disagree: Adaptive Ensemble Knowledge Distillation in Gradient Space', authors: 'Du et al.', year: 2020, url: 'https://proceedings.neurips.cc/paper/2020/hash/91c77393975889bd08f301c9e13a44b7-Abstract.html' },
    needs: multiTeacherLogits,
    params: [
      teachers,
      { key: 'cTol', label: 'C tolerance', default: 0.6, min: 0.2, max: 1, step: 0.05, help: 'Caps each teacher\u2019s weight at C (clamped to [1/M, 1]; reference -C 0.6).' },
      temperature(4),
      alpha(1, 'CA-MKD scripts'),
      ceWeight(1, 'CA-MKD scripts'),
    ],
  },
  camkd: {
    id: 'camkd',
    diagnostics: 'Teacher weights the method computes for each batch (mean over the batch); equal weights would be plain averaging.',
    label: 'CA-MKD (confidence-aware)',
    summary: 'Teachers whose predictions agree with the label weigh more, at the logits and at the last feature map (through each teacher\u2019s head).',
    paper: CAMKD_PAPER,
    needs: { ...multiTeacher, teacherHeadOnLastStage: true },
    params: [teachers, beta(50, 'intermediate (feature) term, left out of epoch 1'), temperature(4), alpha(1, 'CA-MKD scripts'), ceWeight(1, 'CA-MKD scripts')],
  },
  refilled: {
    id: 'refilled',
    diagnostics: 'Stage 1: semihard triplets mined per batch, and after each epoch the nearest-class-mean (NCM) accuracy of the student\u2019s embedding on the test subset; the best epoch starts stage 2.',
    label: 'REFILLED (two stages)',
    summary:
      'Stage 1: the student\u2019s embedding learns the teacher\u2019s triplet similarities (no labels in the loss), scored by nearest-class-mean accuracy. Stage 2: a fresh classifier learns the labels and the teacher\u2019s similarities to global class centres.',
    paper: { title: 'Distilling Cross-Task Knowledge via Relationship Matching', authors: 'Ye, Lu, Zhan', year: 2020, url: 'https://github.com/njulus/REFILLED' },
    needs: {
      teachers: { min: 1, max: 1 },
      stages: [
        { id: 'embedding', label: 'Stage 1: embedding', epochsParam: 'stage1Epochs', cosineToTenthParam: 'stage1Cosine' },
        { id: 'classifier', label: 'Stage 2: classifier' },
      ],
    },
    params: [
      { key: 'stage1Epochs', label: 'Stage-1 epochs', default: 8, min: 1, max: 500, step: 1, integer: true, help: 'Embedding-distillation epochs before stage 2, which runs the usual epochs (reference: 200 and 200).' },
      { key: 'stage1Cosine', label: 'Stage-1 learning rate', default: 0, min: 0, max: 1, step: 1, integer: true, choices: ['the run\u2019s schedule', 'cosine from lr to lr/10 (reference)'], help: 'Stage 1 runs the run\u2019s schedule over its epochs, or, as njulus/REFILLED, cosine annealing from lr down to lr/10 whatever the schedule.' },
      { key: 'tau1', label: 'Stage-1 temperature \u03c41', default: 4, min: 0.1, max: 20, step: 0.1, help: 'Softens the triplet probabilities \u03c3((d_an \u2212 d_ap)/\u03c41) (reference: 4).' },
      { key: 'margin', label: 'Miner margin', default: 0.2, min: 0.01, max: 2, step: 0.01, help: 'Semihard triplets have 0 < d_an \u2212 d_ap \u2264 margin on the student\u2019s embedding (reference: 0.2).' },
      { key: 'tau2', label: 'Stage-2 temperature \u03c42', default: 2, min: 0.1, max: 20, step: 0.1, help: 'Softens the similarities to class centres (reference: 2, no \u03c4\u00b2 factor).' },
      { key: 'lambda', label: 'Stage-2 weight \u03bb', default: 100, min: 0, max: 1000, step: 1, help: 'Weight of the class-centre term next to cross-entropy (reference: 100).' },
    ],
  },
  'ta-dfkd': {
    id: 'ta-dfkd',
    diagnostics: 'Share of each generated batch the GMM keeps as clean (1 without selection), and the generator\u2019s losses; below, the latest generated images with the teacher\u2019s label.',
    label: 'TA-DFKD (data-free)',
    summary:
      'No training image reaches the student: a generator makes images the teacher and student disagree on, a 2-component GMM on the teacher\u2019s loss keeps the clean ones, and the student matches the teacher\u2019s logits on them (L1).',
    paper: TA_DFKD_PAPER,
    needs: { teachers: { min: 1, max: 1 }, dataFree: true },
    params: dfkdParams,
  },
  'dfkd-basic': {
    id: 'dfkd-basic',
    diagnostics: 'Share of each generated batch the GMM keeps as clean (1 without selection), and the generator\u2019s losses; below, the latest generated images with the teacher\u2019s label.',
    label: 'Data-free KD, basic (no selection)',
    summary: 'TA-DFKD\u2019s ablation: the student learns from every generated image, and the generator\u2019s disagreement loss uses a detached teacher.',
    paper: TA_DFKD_PAPER,
    needs: { teachers: { min: 1, max: 1 }, dataFree: true },
    params: dfkdParams,
  },
  custom: {
    id: 'custom',
    label: 'Your own loss',
    summary: 'Write the distillation term yourself, with the teacher\u2019s and student\u2019s logits and features and tf ops in scope; it runs in the worker.',
    paper: { title: 'Distilling the Knowledge in a Neural Network (the template)', authors: 'Hinton, Vinyals, Dean', year: 2015, url: 'https://arxiv.org/abs/1503.02531' },
    needs: { teachers: { min: 1, max: 1 }, userCode: true },
    params: [temperature(4), alpha(1, 'template'), ceWeight(1, 'template')],
  },
};

export function isMethodId(value: string): value is MethodId {
  return (METHOD_IDS as readonly string[]).includes(value);
}

/** The method's parameters at their reference defaults. */
export function defaultMethodParams(id: MethodId): Record<string, number> {
  return Object.fromEntries(METHOD_CATALOG[id].params.map((p) => [p.key, p.default]));
}

/** How many teachers a run of this method trains. */
export function teacherCount(id: MethodId, params: Readonly<Record<string, number>>): number {
  const { min, max } = METHOD_CATALOG[id].needs.teachers;
  return Math.min(max, Math.max(min, params.teachers ?? min));
}

/** The stages a run of this method trains before its main one, with their epochs from `params`. */
export function earlyStages(id: MethodId, params: Readonly<Record<string, number>>): { id: string; label: string; epochs: number; cosineToTenth: boolean }[] {
  return (METHOD_CATALOG[id].needs.stages ?? []).flatMap(({ id: stageId, label, epochsParam, cosineToTenthParam }) =>
    epochsParam ? [{ id: stageId, label, epochs: Math.max(0, Math.round(params[epochsParam] ?? 0)), cosineToTenth: cosineToTenthParam !== undefined && params[cosineToTenthParam] === 1 }] : [],
  );
}
