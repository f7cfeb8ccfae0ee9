/**
 * The ready teachers: the teacher menu offers them, picking one (or opening a link that names it, in a fresh
 * browser) keeps it in the saved models under the id its bytes give it, and a tiny distillation run evaluates
 * it instead of training it, with the accuracy the manifest states; a first visit opens on one.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { Playground, TINY_RUN } from './playground';

interface ManifestEntry { id: string; label: string; savedModelId: string; accuracy: number; model: string }
const manifest = JSON.parse(readFileSync('public/teachers/manifest.json', 'utf8')) as { teachers: ManifestEntry[] };
const teacher = (id: string) => manifest.teachers.find((t) => t.id === id)!;
/** A tiny KD run evaluated on every test image, so the teacher's accuracy is the manifest's (same 1017 images). */
const RUN = { ...TINY_RUN, method: 'kd', testSubset: '1017' } as const;

async function expectTeacherEvaluated(app: Playground, page: Page, entry: ManifestEntry): Promise<void> {
  await app.waitForStatus(['done', 'error']);
  await expect(app.status).toHaveText('done');
  const row = app.results.locator('tr[data-role=teacher]');
  await expect(row).toContainText('reused');
  const [reported] = (await app.resultTable()).filter((r) => r.role === 'teacher');
  // The page's float32 wasm forward pass against PyTorch's float32 CPU one: a few images may flip.
  expect(Math.abs(reported!.accuracy - 100 * entry.accuracy), `teacher accuracy ${reported!.accuracy}% vs the manifest's ${100 * entry.accuracy}%`).toBeLessThanOrEqual(0.5);
  await expect(page.locator(`[data-testid=model-row][data-model-id="${entry.savedModelId}"]`)).toContainText(`Ready ${entry.label}`);
}

test('the teacher menu offers the ready teachers; a picked one is kept and distils without training', async ({ page }) => {
  const app = new Playground(page);
  await app.open(RUN);
  const menu = page.locator('#cfg-savedTeacher');
  for (const entry of manifest.teachers) {
    await expect(menu.locator(`option[value="${entry.savedModelId}"]`)).toHaveText(`${entry.label}, ready: ${Math.round(100 * entry.accuracy)}%`);
  }
  const resnet20 = teacher('resnet20');
  await menu.selectOption(resnet20.savedModelId);
  await expect(page.locator('#cfg-teacher')).toHaveValue('resnet20');
  await expect(page.getByTestId('ready-teacher-note')).toContainText('evaluated, not trained');
  await expect(page).toHaveURL(new RegExp(`savedTeacher=${resnet20.savedModelId}`));
  // The menu as a list, for the picture a person looks at (a closed <select> shows one line).
  await menu.evaluate((select: HTMLSelectElement) => (select.size = select.options.length));
  await page.locator('aside.sidebar').screenshot({ path: 'e2e/screenshots/ready-teacher-menu.png' });
  await menu.evaluate((select: HTMLSelectElement) => (select.size = 0));
  await expect(app.button('train')).toBeEnabled({ timeout: 60_000 });
  await app.button('train').click();
  await expectTeacherEvaluated(app, page, resnet20);
  await app.results.screenshot({ path: 'e2e/screenshots/ready-teacher-results.png' });
});

test('a link naming a ready teacher installs it in a fresh browser and autostarts', async ({ page }) => {
  const app = new Playground(page);
  const weak = teacher('resnet20-weak');
  await app.open({ ...RUN, teacher: weak.model, savedTeacher: weak.savedModelId, autostart: '1' });
  await expect(page.getByTestId('saved-teacher-missing')).toHaveCount(0);
  await expectTeacherEvaluated(app, page, weak);
  await expect(page.getByTestId('ready-teacher-error')).toHaveCount(0);
});

test('a first visit (a bare address) opens on KD from the ready ResNet-20, ready to train at once', async ({ page }) => {
  const app = new Playground(page);
  await app.open();
  const resnet20 = teacher('resnet20');
  await expect(page.locator('#cfg-savedTeacher')).toHaveValue(resnet20.savedModelId);
  await expect(page.locator('#cfg-teacher')).toHaveValue('resnet20');
  await expect(page.locator('#cfg-student')).toHaveValue('resnet8');
  await expect(page.locator('#cfg-method')).toHaveValue('kd');
  await expect(page.getByTestId('ready-teacher-note')).toContainText('evaluated, not trained');
  await expect(page).toHaveURL(new RegExp(`savedTeacher=${resnet20.savedModelId}`));
  // Kept in the browser before the run can start: nothing to train first.
  await expect(app.button('train')).toBeEnabled({ timeout: 60_000 });
  await expect(page.locator(`[data-testid=model-row][data-model-id="${resnet20.savedModelId}"]`)).toContainText(`Ready ${resnet20.label}`);
  await expect(page.getByTestId('url-notes')).toHaveCount(0);
  await page.screenshot({ path: 'e2e/screenshots/first-visit.png' });
});

test('CA-MKD distils from a strong and a weak ready teacher, one menu each, and weighs the strong one up', async ({ page }) => {
  const app = new Playground(page);
  const strong = teacher('resnet20');
  const weak = teacher('resnet20-weak');
  await app.open({ ...TINY_RUN, method: 'camkd', teachers: '2', teacher: 'resnet20', subset: '256', testSubset: '256' });
  const first = page.locator('#cfg-savedTeacher');
  const second = page.locator('#cfg-savedTeacher-1');
  await expect(page.getByText('Teacher 2 weights')).toBeVisible();
  await first.selectOption(strong.savedModelId);
  // The second slot offers only models of the first's architecture: the two ResNet-20s, not the ResNet-56.
  await expect(second.locator(`option[value="${weak.savedModelId}"]`)).toHaveCount(1);
  await expect(second.locator(`option[value="${teacher('resnet56').savedModelId}"]`)).toHaveCount(0);
  await second.selectOption(weak.savedModelId);
  await expect(page).toHaveURL(new RegExp(`savedTeacher=${strong.savedModelId}(,|%2C)${weak.savedModelId}`));
  await expect(page.getByTestId('ready-teacher-note-1')).toContainText('evaluated, not trained');
  await page.getByTestId('teacher-weights-0').locator('..').screenshot({ path: 'e2e/screenshots/camkd-two-ready-teachers.png' });
  await expect(app.button('train')).toBeEnabled({ timeout: 90_000 });
  await app.button('train').click();
  await app.waitForStatus(['done', 'error']);
  await expect(app.status).toHaveText('done');
  const teachers = (await app.resultTable()).filter((r) => r.role === 'teacher');
  expect(teachers).toHaveLength(2);
  expect(teachers[0]!.accuracy).toBeGreaterThan(teachers[1]!.accuracy + 15);
  await expect(app.results.locator('tr[data-role=teacher]').filter({ hasText: 'reused' })).toHaveCount(2);
  // CA-MKD's logit weights, the epoch's mean over its batches: the strong teacher's is the larger.
  const table = page.getByTestId('method-panel').getByTestId('method-table');
  const headers = await table.locator('thead th').allTextContents();
  const cells = await table.locator('tbody tr').first().locator('td').allTextContents();
  const weight = (name: string) => Number(cells[headers.indexOf(name)]);
  expect(weight('logit weight teacher1')).toBeGreaterThan(0.6);
  expect(weight('logit weight teacher1') + weight('logit weight teacher2')).toBeCloseTo(1, 2);
  await page.getByTestId('method-panel').screenshot({ path: 'e2e/screenshots/camkd-strong-weak-inside.png' });
});
