/**
 * The check page's work, in the training worker on its active backend: every reference fixture case
 * through the project's functions (the same runner the Node reference test uses), then one training step
 * of every method on the active backend and on a reference backend (tfjs CPU, switched to in this same
 * worker), compared number by number, then the PyTorch parity assets when the page sent them
 * (parityCheck.ts). Each comparison is reported as soon as it is made.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../config/runConfig';
import { METHOD_IDS } from '../contract/methodCatalog';
import { parseReferenceCases, runReferenceCase, type ReferenceCase } from '../methods/reference';
import { methodStepNumbers, type StepNumbers } from '../training/methodStep';
import { useBackend } from './backend';
import { runParityChecks } from './parityCheck';
import type { CheckComparison, CheckRequest, CheckSummary } from '../contract/checkProtocol';

/** The step comparison's tolerance, by the fixtures' rule |got - expected| <= tol * max(1, |expected|). */
export const STEP_TOLERANCE = 1e-3;

const within = (got: number, expected: number, tol: number) => Math.abs(got - expected) <= tol * Math.max(1, Math.abs(expected));

/** Short JSON for the page's table. */
function brief(value: unknown): string {
  const text = JSON.stringify(value, (_, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(6)) : v)) ?? String(value);
  return text.length > 90 ? `${text.slice(0, 87)}...` : text;
}

async function referenceComparison(file: string, index: number, c: ReferenceCase): Promise<CheckComparison> {
  const what = `${file} #${index} ${c.fn}${c.note ? ` (${c.note})` : ''}`;
  try {
    const { got, mismatches } = await runReferenceCase(c);
    const detail = mismatches.length === 0 ? `tol ${c.tol}` : `${mismatches.slice(0, 3).join('; ')}${mismatches.length > 3 ? `; and ${mismatches.length - 3} more` : ''}`;
    return { section: 'reference', what, expected: brief(c.expected), got: brief(got), pass: mismatches.length === 0, detail };
  } catch (error) {
    return { section: 'reference', what, expected: brief(c.expected), got: 'error', pass: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

function numberComparison(what: string, got: number, expected: number): CheckComparison {
  return { section: 'step', what, expected: String(expected), got: String(got), pass: within(got, expected, STEP_TOLERANCE), detail: `tol ${STEP_TOLERANCE}` };
}

/** Every element of every BatchNorm running statistic, summarised as the largest difference. */
function statisticsComparison(what: string, got: StepNumbers['statistics'], expected: StepNumbers['statistics']): CheckComparison {
  const names = Object.keys(expected);
  let count = 0;
  let worst = { diff: 0, where: 'none' };
  const bad: string[] = [];
  for (const name of names) {
    const [g, e] = [got[name], expected[name]!];
    if (!g || g.length !== e.length) {
      bad.push(`${name}: missing or of another size`);
      continue;
    }
    for (let i = 0; i < e.length; i++, count++) {
      const diff = Math.abs(g[i]! - e[i]!);
      if (!(diff <= worst.diff)) worst = { diff, where: `${name}[${i}]` };
      if (!within(g[i]!, e[i]!, STEP_TOLERANCE)) bad.push(`${name}[${i}]: got ${g[i]}, expected ${e[i]}`);
    }
  }
  const pass = bad.length === 0 && Object.keys(got).length === names.length && count > 0;
  return {
    section: 'step',
    what,
    expected: `${count} values in ${names.length} variables`,
    got: `max |diff| ${worst.diff.toExponential(2)} at ${worst.where}`,
    pass,
    detail: pass ? `tol ${STEP_TOLERANCE}` : `${bad.length} outside tol ${STEP_TOLERANCE}: ${bad.slice(0, 3).join('; ')}`,
  };
}

/** Loss terms (by name), diagnostics, the total, the gradient norm and BatchNorm statistics of one step. */
export function stepComparisons(got: StepNumbers, expected: StepNumbers): CheckComparison[] {
  const prefix = got.label;
  const names = (r: Readonly<Record<string, number>>) => Object.keys(r).sort().join(', ');
  const out: CheckComparison[] = [
    { section: 'step', what: `${prefix}: loss terms`, expected: names(expected.terms), got: names(got.terms), pass: names(got.terms) === names(expected.terms), detail: 'the same named terms' },
  ];
  for (const [kind, exp, act] of [['term', expected.terms, got.terms], ['diagnostic', expected.diagnostics, got.diagnostics]] as const) {
    for (const [name, value] of Object.entries(exp)) out.push(numberComparison(`${prefix}: ${kind} ${name}`, act[name] ?? Number.NaN, value));
  }
  out.push(numberComparison(`${prefix}: total loss`, got.loss, expected.loss));
  const gradient = numberComparison(`${prefix}: gradient norm`, got.gradientNorm, expected.gradientNorm);
  // A step whose gradient is zero compares nothing: the check must not pass vacuously.
  out.push(expected.gradientNorm > 0 ? gradient : { ...gradient, pass: false, detail: 'a zero gradient on the reference backend compares nothing' });
  out.push(statisticsComparison(`${prefix}: BatchNorm running statistics`, got.statistics, expected.statistics));
  return out;
}

/** Runs the whole check, reporting each comparison as it is made; the active backend is left as it was. */
export async function runBackendCheck(request: CheckRequest, report: (comparison: CheckComparison) => void): Promise<CheckSummary> {
  const start = performance.now();
  const backend = tf.getBackend() as BackendName;
  let [passed, failed] = [0, 0];
  const emit = (comparison: CheckComparison) => {
    if (comparison.pass) passed++;
    else failed++;
    report(comparison);
  };

  for (const { file, data } of request.fixtures) {
    let cases: ReferenceCase[];
    try {
      cases = parseReferenceCases(data, file);
    } catch (error) {
      emit({ section: 'reference', what: file, expected: '{ "cases": [...] }', got: 'unreadable', pass: false, detail: error instanceof Error ? error.message : String(error) });
      continue;
    }
    for (const [index, c] of cases.entries()) emit(await referenceComparison(file, index, c));
  }
  if (request.fixtures.length === 0) emit({ section: 'reference', what: 'reference fixtures', expected: 'at least one file', got: 'none', pass: false, detail: 'no fixture file reached the page (npm run setup copies them)' });

  for (const method of METHOD_IDS) {
    try {
      const expected = await useBackend(request.referenceBackend, () => methodStepNumbers(method));
      const got = await methodStepNumbers(method);
      if (got.length !== expected.length) throw new Error(`${got.length} steps on ${backend}, ${expected.length} on ${request.referenceBackend}`);
      got.forEach((g, i) => stepComparisons(g, expected[i]!).forEach(emit));
    } catch (error) {
      emit({ section: 'step', what: `${method}: one training step`, expected: 'numbers on both backends', got: 'error', pass: false, detail: error instanceof Error ? error.message : String(error) });
    }
  }

  const paritySkipped = await runParityChecks(request.parity, emit);
  const skipped = paritySkipped ? [paritySkipped] : [];
  return { backend, referenceBackend: request.referenceBackend, passed, failed, skipped, seconds: (performance.now() - start) / 1000 };
}
