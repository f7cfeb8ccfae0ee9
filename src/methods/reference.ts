/**
 * The reference fixtures (../shared/reference/README.md) wired to the project's own functions. Each fixture
 * `fn` maps to an adapter that turns the case's nested-array args into tensors, calls the function the
 * training loop uses (there is no second implementation here) and reads the result back as plain JSON;
 * `referenceMismatches` is the README's comparison rule. Free of DOM and Node APIs: the caller reads files.
 */
import * as tf from '@tensorflow/tfjs';
import { eceReference } from '../core/calibration';
import { silhouetteScore, trustworthiness } from '../core/clusterQuality';
import { fromRows } from '../core/metrics';
import { runTsne } from '../core/tsne';
import { dfkdAdversarialLoss } from './dfkdLosses';
import { kdLoss, kdLossPerSample, logitMse } from './losses';
import { aekdWeights, camkdLogitWeights, ebkdWeights } from './multiTeacherWeights';
import { refilledStage2Loss, refilledTripletLoss } from './refilledLosses';
import { denseMlp, lrpDense, LRP_DEFAULTS, oracleInput, type DenseLayer, type LrpRule } from './relevance';

export interface ReferenceCase {
  readonly fn: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly expected: unknown;
  /** Absolute tolerance, scaled by max(1, |expected|). */
  readonly tol: number;
  readonly note: string;
}

/** Integer-valued result fields, compared exactly rather than within tolerance. */
const EXACT_KEYS: ReadonlySet<string> = new Set(['count', 'triplets']);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The cases of one parsed fixture file, `{ cases: [...] }`, each checked against the schema. */
export function parseReferenceCases(file: unknown, source = 'fixture file'): ReferenceCase[] {
  if (!isRecord(file) || !Array.isArray(file.cases)) throw new Error(`${source}: expected { "cases": [...] }`);
  return file.cases.map((c: unknown, i) => {
    if (!isRecord(c) || typeof c.fn !== 'string' || !isRecord(c.args) || typeof c.tol !== 'number' || !('expected' in c)) {
      throw new Error(`${source}: case ${i} lacks fn, args, expected or a numeric tol`);
    }
    return { fn: c.fn, args: c.args, expected: c.expected, tol: c.tol, note: typeof c.note === 'string' ? c.note : '' };
  });
}

/**
 * Where `got` breaks the README rule against `expected` ([] if nowhere): numbers within tol·max(1, |expected|)
 * (`EXACT_KEYS` fields exactly), arrays of equal length, objects with the same keys, other values equal.
 */
export function referenceMismatches(got: unknown, expected: unknown, tol: number, path = '$'): string[] {
  if (typeof expected === 'number') {
    const exact = EXACT_KEYS.has(path.slice(path.lastIndexOf('.') + 1));
    const ok = typeof got === 'number' && (exact ? got === expected : Math.abs(got - expected) <= tol * Math.max(1, Math.abs(expected)));
    return ok ? [] : [`${path}: got ${String(got)}, expected ${expected}${exact ? ' exactly' : ` (tol ${tol})`}`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(got) || got.length !== expected.length) {
      return [`${path}: got ${Array.isArray(got) ? `length ${got.length}` : typeof got}, expected length ${expected.length}`];
    }
    return expected.flatMap((e: unknown, i) => referenceMismatches(got[i], e, tol, `${path}[${i}]`));
  }
  if (isRecord(expected)) {
    const keys = Object.keys(expected).sort();
    const gotKeys = isRecord(got) ? Object.keys(got).sort() : [];
    if (!isRecord(got) || JSON.stringify(gotKeys) !== JSON.stringify(keys)) {
      return [`${path}: got keys [${gotKeys.join(', ')}], expected [${keys.join(', ')}]`];
    }
    return keys.flatMap((key) => referenceMismatches(got[key], expected[key], tol, `${path}.${key}`));
  }
  return Object.is(got, expected) ? [] : [`${path}: got ${String(got)}, expected ${String(expected)}`];
}

type Nested = { 1: number[]; 2: number[][]; 3: number[][][] };

function isNested(value: unknown, depth: number): boolean {
  if (depth === 0) return typeof value === 'number';
  return Array.isArray(value) && value.every((v: unknown) => isNested(v, depth - 1));
}

/** A case's args, read with checks so a malformed fixture fails with its key named. */
export class FixtureArgs {
  constructor(
    private readonly values: Readonly<Record<string, unknown>>,
    private readonly fn: string,
  ) {}

  private fail(key: string, what: string): never {
    throw new TypeError(`${this.fn}: args.${key} must be ${what}`);
  }

  number(key: string): number {
    const value = this.values[key];
    return typeof value === 'number' ? value : this.fail(key, 'a number');
  }

  optionalNumber(key: string): number | undefined {
    return this.values[key] === undefined ? undefined : this.number(key);
  }

  integer(key: string): number {
    const value = this.number(key);
    return Number.isInteger(value) ? value : this.fail(key, 'an integer');
  }

  string(key: string): string {
    const value = this.values[key];
    return typeof value === 'string' ? value : this.fail(key, 'a string');
  }

  array<D extends keyof Nested>(key: string, depth: D): Nested[D] {
    const value = this.values[key];
    return isNested(value, depth) ? (value as Nested[D]) : this.fail(key, `a ${depth}-level array of numbers`);
  }

  integers(key: string): number[] {
    const value = this.array(key, 1);
    return value.every(Number.isInteger) ? value : this.fail(key, 'an array of integers');
  }

  /** `[{ weight: [in][out], bias: [out] }, ...]` as plain arrays. */
  layers(key: string): { weight: number[][]; bias: number[] }[] {
    const value = this.values[key];
    const ok = Array.isArray(value) && value.every((l: unknown) => isRecord(l) && isNested(l.weight, 2) && isNested(l.bias, 1));
    return ok ? (value as { weight: number[][]; bias: number[] }[]) : this.fail(key, 'a list of { weight, bias } layers');
  }
}

const matrix = (args: FixtureArgs, key: string) => tf.tensor2d(args.array(key, 2));
const stacked = (args: FixtureArgs, key: string) => tf.tensor3d(args.array(key, 3));
const labels = (args: FixtureArgs, key: string) => tf.tensor1d(args.integers(key), 'int32');
const denseLayers = (args: FixtureArgs): DenseLayer[] =>
  args.layers('layers').map(({ weight, bias }) => ({ weight: tf.tensor2d(weight), bias: tf.tensor1d(bias) }));

/** Runs `build` in a tidy scope (its input tensors included) and reads the result tensor(s) back as JSON. */
async function evaluate(build: () => tf.Tensor | Readonly<Record<string, tf.Tensor>>): Promise<unknown> {
  const result = tf.tidy(build);
  const named = result instanceof tf.Tensor ? null : Object.entries(result);
  try {
    if (!named) return await (result as tf.Tensor).array();
    return Object.fromEntries(await Promise.all(named.map(async ([key, t]) => [key, await t.array()] as const)));
  } finally {
    tf.dispose(result);
  }
}

function lrpRule(args: FixtureArgs): LrpRule {
  const epsilon = args.optionalNumber('epsilon') ?? LRP_DEFAULTS.epsilon;
  const name = args.string('rule');
  switch (name) {
    case 'epsilon':
      return { name, epsilon };
    case 'gamma':
      return { name, epsilon, gamma: args.optionalNumber('gamma') ?? LRP_DEFAULTS.gamma };
    case 'zplus':
      return { name };
    default:
      throw new RangeError(`lrpDense: unknown rule "${name}"`);
  }
}

/** `tsneEmbedding`'s expected value is a threshold; its neighbourhood size k travels with it. */
function tsneThreshold(expected: unknown): { k: number; atLeast: number } {
  if (!isRecord(expected) || typeof expected.k !== 'number' || typeof expected.trustworthinessAtLeast !== 'number') {
    throw new TypeError('tsneEmbedding: expected must hold numbers k and trustworthinessAtLeast');
  }
  return { k: expected.k, atLeast: expected.trustworthinessAtLeast };
}

/** How one fixture function is run and judged. */
export interface ReferenceFunction {
  /** The project's result for the case, as plain JSON; `expected` only for parameters that travel in it. */
  readonly run: (args: FixtureArgs, expected: unknown) => Promise<unknown>;
  /** Mismatch messages, [] on a pass; `referenceMismatches` unless stated. */
  readonly judge?: (got: unknown, expected: unknown, tol: number) => string[];
}

export const REFERENCE_FUNCTIONS: Readonly<Record<string, ReferenceFunction>> = {
  kdLoss: { run: (a) => evaluate(() => kdLoss(matrix(a, 'student'), matrix(a, 'teacher'), a.number('T'))) },
  kdLossPerSample: { run: (a) => evaluate(() => kdLossPerSample(matrix(a, 'student'), matrix(a, 'teacher'), a.number('T'))) },
  logitMse: { run: (a) => evaluate(() => logitMse(matrix(a, 'student'), matrix(a, 'teacher'))) },
  ebkdWeights: { run: (a) => evaluate(() => ebkdWeights(stacked(a, 'teachers'))) },
  camkdLogitWeights: { run: (a) => evaluate(() => camkdLogitWeights(stacked(a, 'teachers'), labels(a, 'labels'))) },
  aekdWeights: {
    run: async (a) => {
      const [temperature, cTol] = [a.number('T'), a.number('cTol')];
      const [student, teachers] = [matrix(a, 'student'), stacked(a, 'teachers')];
      return aekdWeights(student, teachers, temperature, cTol).finally(() => tf.dispose([student, teachers]));
    },
  },
  ece: { run: async (a) => eceReference(a.array('probs', 2), a.integers('labels'), a.integer('bins')) },
  refilledTripletLoss: {
    run: (a) =>
      evaluate(() =>
        refilledTripletLoss(
          matrix(a, 'studentEmbedding'),
          matrix(a, 'teacherEmbedding'),
          labels(a, 'labels'),
          a.number('tau1'),
          a.number('margin'),
        ),
      ),
  },
  refilledStage2Loss: {
    run: (a) =>
      evaluate(() =>
        refilledStage2Loss(
          matrix(a, 'studentLogits'),
          matrix(a, 'teacherEmbedding'),
          matrix(a, 'centers'),
          labels(a, 'labels'),
          a.number('tau2'),
          a.number('lambda'),
        ),
      ),
  },
  dfkdAdversarialLoss: { run: (a) => evaluate(() => dfkdAdversarialLoss(matrix(a, 'student'), matrix(a, 'teacher'), a.number('T'))) },
  lrpDense: {
    run: (a) =>
      evaluate(() => {
        const input = tf.tensor2d([a.array('input', 1)]);
        const target = tf.tensor1d([a.integer('target')], 'int32');
        return tf.squeeze(lrpDense(denseLayers(a), input, target, lrpRule(a)), [0]);
      }),
  },
  oracleInputDense: {
    run: (a) => evaluate(() => oracleInput(denseMlp(denseLayers(a)), matrix(a, 'inputs'), labels(a, 'labels'), a.number('gamma'))),
  },
  trustworthiness: { run: async (a) => trustworthiness(a.array('high', 2), a.array('low', 2), a.integer('k')) },
  silhouette: { run: async (a) => silhouetteScore(a.array('points', 2), a.integers('labels')) },
  tsneEmbedding: {
    // The project's t-SNE with its defaults (sklearn's: PCA start, 1000 iterations); the result is its trustworthiness.
    run: async (a, expected) => {
      const points = fromRows(a.array('points', 2));
      const embedding = runTsne(points.data, points.cols, { perplexity: a.number('perplexity'), seed: a.integer('seed') });
      return trustworthiness(points, { data: embedding, cols: 2 }, tsneThreshold(expected).k);
    },
    judge: (got, expected) => {
      const { atLeast } = tsneThreshold(expected);
      return typeof got === 'number' && got >= atLeast ? [] : [`$: trustworthiness ${String(got)} < ${atLeast}`];
    },
  },
};

/** Runs one case through the project's function and judges it. Throws on a `fn` the table does not know. */
export async function runReferenceCase(c: ReferenceCase): Promise<{ got: unknown; mismatches: string[] }> {
  const fn = Object.hasOwn(REFERENCE_FUNCTIONS, c.fn) ? REFERENCE_FUNCTIONS[c.fn] : undefined;
  if (!fn) throw new Error(`Unknown reference function "${c.fn}" (known: ${Object.keys(REFERENCE_FUNCTIONS).join(', ')})`);
  const got = await fn.run(new FixtureArgs(c.args, c.fn), c.expected);
  return { got, mismatches: (fn.judge ?? referenceMismatches)(got, c.expected, c.tol) };
}
