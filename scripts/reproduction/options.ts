/**
 * The reproduction command's flags (`npm run reproduce -- ...`), read into options with a clear message for
 * every bad one. No tfjs: the command reads its flags before it loads the training code.
 */
import { isModelId, type ModelId } from '../../src/contract/modelCatalog';

/** The distillation methods the reproduction runs; each run's scratch learner is the scratch baseline. */
export const REPRODUCTION_METHODS = ['kd', 'oracle'] as const;
export type ReproductionMethod = (typeof REPRODUCTION_METHODS)[number];
export const REPRODUCTION_BACKENDS = ['wasm', 'cpu'] as const;
export type ReproductionBackend = (typeof REPRODUCTION_BACKENDS)[number];

export interface ReproductionOptions {
  readonly seeds: readonly number[];
  readonly epochs: number;
  /** Training images (the page's `subset`), test images evaluated after every epoch (`testSubset`). */
  readonly subset: number;
  readonly testSubset: number;
  /** The page's 10% hold-out of the training subset (on by default, as in the page). */
  readonly holdout: boolean;
  readonly methods: readonly ReproductionMethod[];
  /** Where the bundles and the checkpoints of runs in progress go. */
  readonly out: string;
  readonly backend: ReproductionBackend;
  /** The ready teacher's id in the manifest of `teachersDir` (`resnet20`). */
  readonly teacher: string;
  readonly student: ModelId;
  /** The folder with the ready teachers' manifest.json, and the one with the datasets' index.json. */
  readonly teachersDir: string;
  readonly datasetsDir: string;
  readonly dataset: string;
  /** Also keep each finished run's trained models, as PyTorch safetensors in `<out>/models/<run>/` (for `reproduce:compare`). */
  readonly keepModels: boolean;
  /** Threads for the training kernels on wasm (kernels/README.md): faster, with the same bits as one. */
  readonly threads: number;
}

export const DEFAULT_OPTIONS: ReproductionOptions = Object.freeze({
  seeds: [1, 2, 3],
  epochs: 15,
  subset: 5085,
  testSubset: 1017,
  holdout: true,
  methods: REPRODUCTION_METHODS,
  out: 'reproduction/page',
  backend: 'wasm',
  teacher: 'resnet20',
  student: 'resnet8',
  teachersDir: 'public/teachers',
  datasetsDir: 'public/datasets',
  dataset: 'cifar10-subset',
  keepModels: false,
  threads: 1,
});

export class ReproductionOptionsError extends Error {
  override readonly name = 'ReproductionOptionsError';
}

export const USAGE = `usage: npm run reproduce -- [--seeds 1,2,3] [--epochs 15] [--subset 5085] [--test-subset 1017] [--holdout on|off]
  [--methods kd,oracle] [--out reproduction/page] [--backend wasm|cpu] [--teacher resnet20] [--student resnet8]
  [--teachers-dir public/teachers] [--datasets-dir public/datasets] [--dataset cifar10-subset] [--keep-models on|off]
  [--threads 1]`;

function wholeNumber(flag: string, raw: string, min: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min) throw new ReproductionOptionsError(`${flag} takes a whole number from ${min}, not "${raw}".`);
  return value;
}

function seedList(raw: string): number[] {
  const seeds = raw.split(',').map((part) => part.trim());
  if (seeds.some((s) => !/^\d+$/.test(s))) throw new ReproductionOptionsError(`--seeds takes whole numbers separated by commas (1,2,3), not "${raw}".`);
  const values = seeds.map(Number);
  if (new Set(values).size !== values.length) throw new ReproductionOptionsError(`--seeds lists a seed twice: "${raw}".`);
  return values;
}

function methodList(raw: string): ReproductionMethod[] {
  const methods = raw.split(',').map((part) => part.trim());
  for (const method of methods) {
    if (!(REPRODUCTION_METHODS as readonly string[]).includes(method)) {
      const hint = method === 'scratch' ? ' (the scratch baseline is the scratch learner of every run, trained in lockstep with the student)' : '';
      throw new ReproductionOptionsError(`--methods takes ${REPRODUCTION_METHODS.join(', ')}, not "${method}"${hint}.`);
    }
  }
  if (new Set(methods).size !== methods.length) throw new ReproductionOptionsError(`--methods lists a method twice: "${raw}".`);
  return methods as ReproductionMethod[];
}

function choice<T extends string>(flag: string, raw: string, options: readonly T[]): T {
  if (!(options as readonly string[]).includes(raw)) throw new ReproductionOptionsError(`${flag} takes ${options.join(' or ')}, not "${raw}".`);
  return raw as T;
}

function text(flag: string, raw: string): string {
  if (raw.trim() === '') throw new ReproductionOptionsError(`${flag} needs a value.`);
  return raw;
}

type Setter = (raw: string) => Partial<ReproductionOptions>;

const FLAGS: Readonly<Record<string, Setter>> = {
  '--seeds': (raw) => ({ seeds: seedList(raw) }),
  '--epochs': (raw) => ({ epochs: wholeNumber('--epochs', raw, 1) }),
  '--subset': (raw) => ({ subset: wholeNumber('--subset', raw, 1) }),
  '--test-subset': (raw) => ({ testSubset: wholeNumber('--test-subset', raw, 1) }),
  '--holdout': (raw) => ({ holdout: choice('--holdout', raw, ['on', 'off']) === 'on' }),
  '--methods': (raw) => ({ methods: methodList(raw) }),
  '--out': (raw) => ({ out: text('--out', raw) }),
  '--backend': (raw) => ({ backend: choice('--backend', raw, REPRODUCTION_BACKENDS) }),
  '--teacher': (raw) => ({ teacher: text('--teacher', raw) }),
  '--student': (raw) => {
    if (!isModelId(raw)) throw new ReproductionOptionsError(`--student takes a model of the zoo (resnet8, tiny-cnn, ...), not "${raw}".`);
    return { student: raw };
  },
  '--teachers-dir': (raw) => ({ teachersDir: text('--teachers-dir', raw) }),
  '--datasets-dir': (raw) => ({ datasetsDir: text('--datasets-dir', raw) }),
  '--dataset': (raw) => ({ dataset: text('--dataset', raw) }),
  '--keep-models': (raw) => ({ keepModels: choice('--keep-models', raw, ['on', 'off']) === 'on' }),
  '--threads': (raw) => ({ threads: wholeNumber('--threads', raw, 1) }),
};

/** The options `argv` (the arguments after the script) asks for, over the defaults; throws on a bad or unknown flag. */
export function parseReproductionArgs(argv: readonly string[], defaults: ReproductionOptions = DEFAULT_OPTIONS): ReproductionOptions {
  let options: ReproductionOptions = defaults;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const set = FLAGS[flag];
    if (!set) throw new ReproductionOptionsError(`Unknown argument "${arg}".\n${USAGE}`);
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new ReproductionOptionsError(`${flag} needs a value.\n${USAGE}`);
    options = { ...options, ...set(raw) };
  }
  if (options.threads > 1 && options.backend !== 'wasm') throw new ReproductionOptionsError(`--threads is for the wasm backend's training kernels; --backend ${options.backend} runs on one thread.`);
  return options;
}
