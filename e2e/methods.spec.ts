/**
 * Every distillation method runs from a link to `done` in the page on WebGPU, with the tiniest settings
 * (two teachers for the multi-teacher ones), and its student lands in the results table.
 */
import { expect, test, type Page } from '@playwright/test';
import { METHOD_CATALOG, METHOD_IDS, type MethodId } from '../src/contract/methodCatalog';
import { Playground, TINIEST_RUN, tiniestMethodParams } from './playground';

// scratch and kd have their own specs (training.spec.ts, backend.spec.ts), custom too (custom.spec.ts), and
// the reference oracle runs to done in panels.spec.ts; the oracle's LRP variant is the last run here.
const COVERED_ELSEWHERE = new Set<MethodId>(['scratch', 'kd', 'custom', 'oracle']);
const METHODS = METHOD_IDS.filter((id) => !COVERED_ELSEWHERE.has(id));
/** One batch of 16 per epoch and one evaluation batch: the emulated GPU makes every step count. */
const REPORTS_WEIGHTS = new Set(['ebkd', 'aekd', 'camkd']);

/**
 * The student's loss terms in a one-epoch run, as ../shared/spec/methods.md and src/methods/* name them
 * (epoch 1: CA-MKD leaves its feature term out; FitNets adds KD only when alpha > 0, and its default is 0).
 * REFILLED's first epoch is its embedding stage.
 */
const EXPECTED_TERMS: Partial<Record<MethodId, readonly (readonly string[])[]>> = {
  'logit-mse': [['mse']],
  fitnet: [['ce', 'hint']],
  'aver-mkd': [['ce', 'kd']],
  'fitnet-mkd': [['ce', 'hint', 'kd']],
  ebkd: [['ce', 'kd']],
  aekd: [['ce', 'kd']],
  camkd: [['ce', 'kd']],
  refilled: [['triplet'], ['ce', 'kd']],
  'ta-dfkd': [['l1']],
  'dfkd-basic': [['l1']],
  oracle: [['ce', 'kd']],
};

/** Each epoch's terms are the named ones, every value finite, and not all of them zero. */
async function expectSpecTerms(app: Playground, method: MethodId): Promise<void> {
  const epochs = await app.epochTerms('student');
  expect(epochs.map((terms) => Object.keys(terms).sort()), `${method}: loss terms by epoch`).toEqual(EXPECTED_TERMS[method]);
  for (const terms of epochs) {
    const values = Object.values(terms);
    expect(values.every((v) => typeof v === 'number' && Number.isFinite(v)), `${method}: finite terms ${JSON.stringify(terms)}`).toBe(true);
    expect(values.some((v) => v !== 0), `${method}: not all terms zero ${JSON.stringify(terms)}`).toBe(true);
  }
}

/**
 * One page for every method, as a person trying methods one after another would use it: the first comes
 * from a link, the others from the form, and the teachers trained for the first are reused by the rest
 * (same teacher settings), so each later test pays only for its students.
 */
test.describe.serial('every method, one after another in one page', () => {
  let page: Page;
  let app: Playground;

  test.beforeAll(async ({ browser }, testInfo) => {
    const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL, viewport: testInfo.project.use.viewport });
    page = await context.newPage();
    app = new Playground(page);
  });
  test.afterAll(async () => page.context().close());

  for (const [index, method] of METHODS.entries()) {
    test(`${method} runs to done on WebGPU`, async () => {
      const multi = METHOD_CATALOG[method].needs.teachers.max > 1;
      const params = tiniestMethodParams(method);
      if (index === 0) {
        await app.open({ ...TINIEST_RUN, method, ...params, backend: 'webgpu', autostart: '1' });
        await expect(app.backend).toHaveText('webgpu', { timeout: 60_000 });
      } else {
        await page.locator('#cfg-method').selectOption(method);
        for (const [key, value] of Object.entries(params)) await page.locator(`#cfg-${key}`).fill(value);
        await expect.poll(() => new URL(page.url()).searchParams.get('method')).toBe(method);
        await app.button('train').click();
      }
      await app.waitForStatus(['done', 'error']);
      await expect(page.getByTestId('error')).toHaveCount(0);
      await expect(app.status).toHaveText('done');

      await expectSpecTerms(app, method);
      const roles = (await app.resultTable()).map((r) => r.role);
      expect(roles).toEqual([...Array(multi ? 2 : 1).fill('teacher'), 'scratch', 'student']);
      if (index > 0) await expect(app.results.locator('tr[data-role=teacher]').first()).toContainText('reused');
      if (REPORTS_WEIGHTS.has(method)) {
        await expect(page.getByTestId('method-panel')).toBeVisible();
        await expect(page.getByTestId('method-table').locator('tbody tr')).toHaveCount(1);
        await app.screenshot(`method-${method}`);
      }
      if (method === 'refilled') {
        // One embedding epoch scored by NCM accuracy, then one classifier epoch.
        const rows = page.getByTestId('method-table').locator('tbody tr');
        await expect(rows).toHaveCount(2);
        await expect(rows.nth(0)).toContainText('Stage 1: embedding');
        await expect(rows.nth(1)).toContainText('Stage 2: classifier');
        await expect(page.getByTestId('method-table').locator('thead')).toContainText('ncmAccuracy');
        await app.screenshot('method-refilled');
      }
      if (METHOD_CATALOG[method].needs.dataFree) {
        await expect(page.getByTestId('generated-samples').locator('canvas')).toHaveCount(16);
        await expect(page.getByTestId('method-table').locator('thead')).toContainText(method === 'ta-dfkd' ? 'selected' : 'generator');
        await app.screenshot(`method-${method}`);
      }
    });
  }

  test('the oracle runs with a layer-wise relevance rule (LRP-\u03b3) on WebGPU', async () => {
    await page.locator('#cfg-method').selectOption('oracle');
    await page.locator('#cfg-rule').selectOption('2');
    await expect.poll(() => new URL(page.url()).searchParams.get('rule')).toBe('2');
    await app.button('train').click();
    await app.waitForStatus(['done', 'error']);
    await expect(page.getByTestId('error')).toHaveCount(0);
    await expect(app.status).toHaveText('done');
    expect((await app.resultTable()).map((r) => r.role)).toEqual(['teacher', 'scratch', 'student']);
    await expectSpecTerms(app, 'oracle');
  });
});

