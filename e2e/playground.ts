/** Page object for the playground: thin specs talk to it, never to selectors directly. */
import { expect, type Page } from '@playwright/test';

export type RunStatus = 'idle' | 'loading' | 'training' | 'paused' | 'done' | 'error';

/** The smallest real run: tiny CNN teacher and student, a few batches of real CIFAR-10 images. */
export const TINY_RUN = { teacher: 'tiny-cnn', student: 'tiny-cnn', epochs: '1', teacherEpochs: '1', subset: '128', testSubset: '128' } as const;

/** One batch of 16 images per epoch: for tests that need a run to reach done, not to learn anything. */
export const TINIEST_RUN = { ...TINY_RUN, subset: '16', testSubset: '16', batch: '16' } as const;

export class Playground {
  constructor(readonly page: Page) {}

  async open(params: Record<string, string> = {}): Promise<void> {
    const query = new URLSearchParams(params).toString();
    await this.page.goto(query ? `./?${query}` : './');
  }

  get status() {
    return this.page.getByTestId('run-status');
  }

  get backend() {
    return this.page.getByTestId('backend');
  }

  get results() {
    return this.page.getByTestId('results');
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

  async screenshot(name: string): Promise<void> {
    await this.page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage: true });
  }
}
