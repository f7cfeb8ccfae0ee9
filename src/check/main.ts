/**
 * The check page (check.html): runs the backend check in the training worker and shows every comparison
 * (what, expected, got, pass or fail) and a summary. The e2e suite (e2e/check.spec.ts) reads the same table.
 */
import { BACKENDS, type BackendName } from '../config/runConfig';
import type { CheckComparison, CheckSummary } from '../contract/checkProtocol';
import { fetchFixtures, fetchParity, runCheck } from './checkClient';

const rows = document.querySelector('[data-testid=check-table] tbody')!;
const summaryLine = document.querySelector<HTMLElement>('[data-testid=check-summary]')!;
const backendLine = document.querySelector<HTMLElement>('[data-testid=check-backend]')!;

function cell(text: string, className = ''): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function addRow(c: CheckComparison): void {
  const tr = document.createElement('tr');
  tr.dataset.pass = String(c.pass);
  tr.dataset.section = c.section;
  tr.append(cell(c.section), cell(c.what), cell(c.expected, 'value'), cell(c.got, 'value'), cell(c.pass ? 'pass' : 'FAIL', c.pass ? 'pass' : 'fail'), cell(c.detail));
  rows.append(tr);
}

function finish(state: 'passed' | 'failed', text: string): void {
  summaryLine.dataset.state = state;
  summaryLine.textContent = text;
  summaryLine.className = state === 'passed' ? 'pass' : 'fail';
}

function describe(s: CheckSummary): string {
  const skipped = s.skipped.length > 0 ? ` Not checked: ${s.skipped.join('; ')}.` : '';
  return `${s.failed === 0 ? 'All passed' : `${s.failed} FAILED`}: ${s.passed}/${s.passed + s.failed} comparisons on ${s.backend} (steps against ${s.referenceBackend}), ${s.seconds.toFixed(1)} s.${skipped}`;
}

const query = new URLSearchParams(location.search);
const requested = query.get('backend') ?? 'webgpu';
const backend: BackendName = (BACKENDS as readonly string[]).includes(requested) ? (requested as BackendName) : 'webgpu';

try {
  const fixtures = await fetchFixtures();
  const parity = query.get('parity') === '1' ? await fetchParity() : ({ state: 'not requested' } as const);
  const summary = await runCheck(backend, fixtures, parity, {
    ready: (m) => {
      const adapter = m.adapter ? ` (${[m.adapter.vendor, m.adapter.architecture, m.adapter.description].filter(Boolean).join(', ')})` : '';
      backendLine.textContent = `Backend: ${m.backend}${adapter}${m.fallbackReason ? `; fell back: ${m.fallbackReason}` : ''}`;
      backendLine.dataset.backend = m.backend;
    },
    comparison: addRow,
  });
  finish(summary.failed === 0 ? 'passed' : 'failed', describe(summary));
} catch (error) {
  finish('failed', `The check could not run: ${error instanceof Error ? error.message : String(error)}`);
}
