/** Page object for the playground: thin specs talk to it, never to selectors directly. */
import { expect, type Page } from '@playwright/test';
import { METHOD_CATALOG, type MethodId } from '../src/contract/methodCatalog';

export type RunStatus = 'idle' | 'loading' | 'training' | 'paused' | 'done' | 'error';

/**
 * The smallest real run: tiny CNN teacher and student, a few batches of real CIFAR-10 images. On wasm, as
 * tests whose subject is not the training backend may be (issue 14): it skips the page's backend race and
 * trains far faster than emulated WebGPU. The backend, training, methods and panels specs pass
 * `backend: 'webgpu'` after spreading this.
 */
export const TINY_RUN = { teacher: 'tiny-cnn', student: 'tiny-cnn', epochs: '1', teacherEpochs: '1', subset: '128', testSubset: '128', backend: 'wasm' } as const;

/** One batch of 16 images per epoch: for tests that need a run to reach done, not to learn anything. */
export const TINIEST_RUN = { ...TINY_RUN, subset: '16', testSubset: '16', batch: '16' } as const;

/** The tiniest parameters of a method: two teachers for the multi-teacher ones, one stage-1 epoch, a small generator. */
export function tiniestMethodParams(method: MethodId): Record<string, string> {
  const stages: Partial<Record<MethodId, Record<string, string>>> = {
    refilled: { stage1Epochs: '1' },
    'ta-dfkd': { ngf: '8', nz: '32', studentSteps: '1' },
    'dfkd-basic': { ngf: '8', nz: '32', studentSteps: '1' },
  };
  return { ...(METHOD_CATALOG[method].needs.teachers.max > 1 ? { teachers: '2' } : {}), ...stages[method] };
}

export class Playground {
  constructor(readonly page: Page) {}

  async open(params: Record<string, string> = {}): Promise<void> {
    const query = new URLSearchParams(params).toString();
    await this.page.goto(query ? `./?${query}` : './');
  }

  get status() {
    return this.page.getByTestId('run-status');
  }

  /** Opens "Your own data" under the dataset menu (closed on load), as a person clicks it. */
  async openDatasetImport(): Promise<void> {
    const box = this.page.getByTestId('dataset-import');
    if (!(await box.evaluate((details: HTMLDetailsElement) => details.open))) await box.locator('summary').click();
    await expect(box).toHaveJSProperty('open', true);
  }

  get backend() {
    return this.page.getByTestId('backend');
  }

  get results() {
    return this.page.getByTestId('results');
  }

  /** The Save and download buttons of one model of the finished run, listed under the results table. */
  modelActions(role: 'teacher' | 'scratch' | 'student') {
    return this.page.getByTestId('model-keep').locator(`li[data-role=${role}]`);
  }

  /** Rows of the results table, one per trained model. */
  get resultRows() {
    return this.results.locator('tbody tr');
  }

  button(name: 'train' | 'pause' | 'resume' | 'step' | 'stop') {
    return this.page.getByTestId(name);
  }

  async waitForStatus(status: RunStatus | RunStatus[], timeout = 6 * 60_000): Promise<void> {
    const wanted = Array.isArray(status) ? status : [status];
    await expect(this.status).toHaveText(new RegExp(`^(${wanted.join('|')})$`), { timeout });
  }

  /** The results as text cells, keyed by the row's role. */
  async resultTable(): Promise<{ role: string; accuracy: number; ece: number }[]> {
    return this.resultRows.evaluateAll((rows) =>
      rows.map((row) => ({
        role: row.getAttribute('data-role') ?? '',
        accuracy: Number.parseFloat(row.querySelector('[data-testid=accuracy]')?.textContent ?? 'NaN'),
        ece: Number.parseFloat(row.querySelector('[data-testid=ece]')?.textContent ?? 'NaN'),
      })),
    );
  }

  /**
   * A model's accuracy (in %, one decimal, as the results table shows it) recomputed in the page from the
   * run's own test logits: the confusion panel's matrix, diagonal over total.
   */
  async accuracyFromLogits(learnerKey: string): Promise<number> {
    const panel = this.page.getByTestId('confusion-panel');
    const select = panel.getByTestId('confusion-model');
    await select.selectOption(learnerKey);
    // The matrix names its model in its caption (read even while its <details> is closed).
    await expect(panel.getByTestId('confusion-table').locator('caption')).toContainText(`; ${(await select.locator('option:checked').textContent())!}.`);
    const { correct, total } = await panel.getByTestId('confusion-table').evaluate((table) => {
      const cells = [...table.querySelectorAll('tbody td')];
      return { correct: cells.filter((td) => td.classList.contains('diagonal')).reduce((s, td) => s + Number(td.textContent), 0), total: cells.reduce((s, td) => s + Number(td.textContent), 0) };
    });
    expect(total, 'the matrix counts every test image').toBeGreaterThan(0);
    return Number(((100 * correct) / total).toFixed(1));
  }

  /** A model's ECE (15 bins) as the calibration panel computes it in the page from the run's test logits. */
  async eceFromLogits(learnerKey: string): Promise<number> {
    await this.page.getByTestId('reliability-model').selectOption(learnerKey);
    return Number(await this.page.getByTestId('reliability-ece').textContent());
  }

  /** The results table's rows checked against the page's own recomputation from each model's test logits. */
  async expectResultsMatchLogits(): Promise<void> {
    const keys = await this.resultRows.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-key') ?? ''));
    const rows = await this.resultTable();
    for (const [i, row] of rows.entries()) {
      expect(row.accuracy, `${row.role}: table accuracy = accuracy of its test logits`).toBe(await this.accuracyFromLogits(keys[i]!));
      expect(row.ece.toFixed(4), `${row.role}: table ECE = ECE of its test logits`).toBe((await this.eceFromLogits(keys[i]!)).toFixed(4));
    }
  }

  /** Each epoch's loss terms of one learner, exactly as the worker reported them (the curves' table). */
  async epochTerms(learnerKey: string): Promise<Record<string, number | null>[]> {
    return this.page.getByTestId('epoch-table').locator(`tbody tr[data-learner="${learnerKey}"]`).evaluateAll((rows) =>
      rows.map((row) => JSON.parse(row.getAttribute('data-terms') ?? '{}') as Record<string, number | null>),
    );
  }

  /** Reloads the page, which must open on `dataset` (kept in this browser), and trains one run on it to done. */
  async reloadAndTrainOn(dataset: string): Promise<void> {
    await this.page.reload();
    await expect(this.page.locator('#cfg-dataset')).toHaveValue(dataset);
    await this.waitForStatus('idle', 120_000);
    await expect(this.page.getByTestId('dataset-error')).toHaveCount(0);
    await this.button('train').click();
    await this.waitForStatus(['done', 'error']);
    await expect(this.status).toHaveText('done');
    expect((await this.resultTable()).map((r) => r.role)).toEqual(['teacher', 'scratch', 'student']);
  }

  async screenshot(name: string): Promise<void> {
    await this.page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage: true });
  }
}
