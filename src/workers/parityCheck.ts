/**
 * The check page's PyTorch parity part, in the training worker on its active backend: the same checks as
 * the Node parity test (src/training/parity/checks.ts) on the fetched assets, within 1e-3, each reported
 * as a table row. Assets that did not arrive give one failed row saying why.
 */
import type { CheckComparison, ParityRequest } from '../contract/checkProtocol';
import { parseParityJson, readFeatures, type ParitySource } from '../training/parity/assets';
import { checkKdStep, checkModelEntry, checkOracleStep, type ParityCheck } from '../training/parity/checks';

/** The browser's parity tolerance, by the fixtures' rule |got - exp| <= tol * max(1, |exp|). */
export const PARITY_TOLERANCE = 1e-3;

function sourceOf(files: Readonly<Record<string, Uint8Array>>): ParitySource {
  const readFile = (file: string) => {
    const bytes = files[file];
    if (!bytes) throw new Error(`${file} did not reach the worker`);
    return bytes;
  };
  const json = parseParityJson(JSON.parse(new TextDecoder().decode(readFile('parity.json'))));
  return { ...json, features: readFeatures(readFile('features.safetensors')), readFile };
}

function comparisonOf(c: ParityCheck): CheckComparison {
  const numeric = c.count !== undefined && c.worst !== undefined;
  return {
    section: 'parity',
    what: `${c.entry}: ${c.check}`,
    expected: numeric ? `${c.count} values from PyTorch` : 'as PyTorch',
    got: numeric ? `worst rel. error ${c.worst!.toExponential(2)}` : c.ok ? 'matches' : 'differs',
    pass: c.ok,
    detail: `tol ${PARITY_TOLERANCE}: ${c.detail}`,
  };
}

const failure = (what: string, detail: string): CheckComparison => ({ section: 'parity', what, expected: 'the PyTorch parity assets', got: 'not checked', pass: false, detail });

/** Runs every parity check it can, reporting each; returns why parity was skipped, if it was not asked for. */
export async function runParityChecks(request: ParityRequest, emit: (comparison: CheckComparison) => void): Promise<string | null> {
  if (request.state === 'not requested') return 'PyTorch parity (../shared/parity): not requested (open the page with &parity=1 and the assets served at parity/)';
  if (request.state === 'unavailable') {
    emit(failure('PyTorch parity assets', request.reason));
    return null;
  }
  let source: ParitySource;
  try {
    source = sourceOf(request.files);
  } catch (error) {
    emit(failure('parity.json and features.safetensors', error instanceof Error ? error.message : String(error)));
    return null;
  }
  const yieldToMessages = () => new Promise((resolve) => setTimeout(resolve, 0));
  for (const entry of source.models) {
    checkModelEntry(source, entry, PARITY_TOLERANCE).map(comparisonOf).forEach(emit);
    await yieldToMessages();
  }
  (await checkKdStep(source, PARITY_TOLERANCE)).map(comparisonOf).forEach(emit);
  (await checkOracleStep(source, PARITY_TOLERANCE)).map(comparisonOf).forEach(emit);
  return null;
}
