/**
 * Every lesson walked through in the page, through the real worker: its run started from the lesson, each
 * question answered wrong and then right (whichever this run makes right), the run's numbers in the verdict
 * checked against the panels', Back, and a reload that keeps the place. Quick pace on WebAssembly, one on WebGPU.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { LESSONS } from '../src/lessons/catalog';
import { LessonPage } from './lessonPage';
import { Playground } from './playground';

/** "70.0%" → 70 from a verdict sentence, after `label`. */
const percentAfter = (text: string, label: string) => Number(new RegExp(`${label} (\\d+\\.\\d)%`).exec(text)?.[1]);

test('dark knowledge: the teacher’s softened answers judged from the run; Back, reload and the printed handout', async ({ page }) => {
  const lesson = new LessonPage(page);
  await lesson.open('dark-knowledge');
  await expect(lesson.stepTitle).toHaveText(LESSONS[0]!.steps[0]!.title);
  await expect(page.getByTestId('lesson-estimate')).toContainText(/About .* on this device \(measured\)/, { timeout: 120_000 });
  await lesson.startRun();
  // Step 2 points at the dark-knowledge panel: outlined and scrolled to, even when a panel above grows during
  // the scroll (as the saved-runs list does once the run is kept: CI once caught the step short of its panel).
  await lesson.nextWhileAPanelAboveGrows(page.getByTestId('results-panel'));
  await expect(page.getByTestId('dark-knowledge-panel')).toHaveClass(/lesson-highlight/);
  await expect(page.locator('#dark-knowledge-title')).toBeInViewport();
  await lesson.next();
  // The step's heading takes the focus without cutting short the scroll to its panel.
  await expect(page.locator('#dark-knowledge-title')).toBeInViewport();
  const cat = await lesson.answerWrongThenRight();
  expect(cat.because).toMatch(/Mean probability on the \d+ test cats at T = 4: dog \d+\.\d%, deer/);
  await page.screenshot({ path: 'e2e/screenshots/lesson-dark-knowledge.png' });
  // A reload keeps the step and the answer; Back goes to the previous step, and the address follows.
  await page.reload();
  await expect(lesson.stepNumber).toHaveText('3');
  await expect(lesson.verdict).toContainText('Right.');
  await lesson.back();
  await expect(page).toHaveURL(/lessonStep=2/);
  await lesson.next();
  await lesson.next();
  await expect(page.getByTestId('lesson-next')).toBeDisabled();
  await expect(page.getByTestId('lesson-pending')).toHaveCount(0);
  await page.getByTestId('lesson-train').waitFor({ state: 'detached' });
  // The reload lost the run, so the last question waits for one instead of guessing.
  await page.getByTestId('lesson-choice-over-50').check();
  await page.getByTestId('lesson-check').click();
  await expect(page.getByTestId('lesson-pending')).toContainText('Make the lesson’s run first');
  // The handout: in print, the lesson's text and the learner's answers, no controls.
  await page.emulateMedia({ media: 'print' });
  const handout = page.getByTestId('lesson-handout');
  await expect(handout).toBeVisible();
  await expect(handout).toContainText(`My answer: ${cat.right} (right). My run says:`);
  await expect(page.getByTestId('lesson-next')).toBeHidden();
  await page.emulateMedia({ media: 'screen' });
  await expect(handout).toBeHidden();
});

test('KD against scratch: the verdict’s accuracies are the results table’s; no axe violation during the lesson', async ({ page }) => {
  const lesson = new LessonPage(page);
  await lesson.open('kd-vs-scratch');
  await lesson.startRun();
  await lesson.next();
  await expect(page.getByTestId('results-panel')).toHaveClass(/lesson-highlight/);
  const { because } = await lesson.answerWrongThenRight();
  const rows = await lesson.app.resultTable();
  expect(percentAfter(because, 'Distilled')).toBe(rows.find((r) => r.role === 'student')!.accuracy);
  expect(percentAfter(because, 'scratch')).toBe(rows.find((r) => r.role === 'scratch')!.accuracy);
  // axe-core's WCAG 2 A and AA rules during a lesson, its question answered (after a run: e2e/accessibility.spec.ts).
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  const found = results.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  expect(found, found.join('\n')).toEqual([]);
  await lesson.expectBackAndReloadKeepThePlace();
});

test('calibration: ECE and the held-out temperature, judged as the calibration panel computes them', async ({ page }) => {
  const lesson = new LessonPage(page);
  await lesson.open('calibration');
  await lesson.startRun();
  await lesson.next();
  const ece = await lesson.answerWrongThenRight();
  const rows = await lesson.app.resultTable();
  expect(ece.because).toContain(`distilled ${rows.find((r) => r.role === 'student')!.ece.toFixed(4)}, scratch ${rows.find((r) => r.role === 'scratch')!.ece.toFixed(4)}`);
  await lesson.next();
  const temperature = await lesson.answerWrongThenRight();
  await page.getByTestId('reliability-model').selectOption('scratch');
  await expect(page.getByTestId('reliability-protocol')).toHaveValue('held-out');
  const fitted = (await page.getByTestId('reliability-temperature').textContent())!.trim();
  expect(temperature.because).toContain(`held-out images is ${fitted}.`);
  await lesson.expectBackAndReloadKeepThePlace();
});

test('explainable oracle: the t-SNE question waits for both maps, then reads their silhouettes', async ({ page }) => {
  const lesson = new LessonPage(page);
  await lesson.open('explainable-oracle');
  await lesson.startRun();
  await lesson.next();
  await lesson.next();
  await lesson.answerWrongThenRight();
  await lesson.next();
  await page.getByTestId('lesson-choice-reinforced').check();
  await page.getByTestId('lesson-check').click();
  await expect(page.getByTestId('lesson-pending')).toContainText('Run t-SNE in the t-SNE panel first');
  await page.getByTestId('responses-gamma').fill('0.2');
  await expect(page.getByTestId('tsne-set-reinforced')).toBeVisible({ timeout: 120_000 });
  await page.getByTestId('tsne-iterations').fill('250');
  await page.getByTestId('tsne-run').click();
  await expect(page.getByTestId('tsne-silhouette-reinforced')).toHaveText(/^-?\d\.\d{3}$/, { timeout: 180_000 });
  await expect(page.getByTestId('tsne-silhouette-plain')).toHaveText(/^-?\d\.\d{3}$/);
  const { because } = await lesson.answerWrongThenRight();
  const [plain, reinforced] = [await page.getByTestId('tsne-silhouette-plain').textContent(), await page.getByTestId('tsne-silhouette-reinforced').textContent()];
  expect(because).toContain(`Silhouette on x* (γ = 0.2): ${reinforced}; on the plain pictures: ${plain}.`);
  await lesson.expectBackAndReloadKeepThePlace();
});

test('many teachers, instructor view: settings locked, the answer key from the run, CA-MKD’s weights judged', async ({ page }) => {
  const lesson = new LessonPage(page);
  await lesson.open('many-teachers', { instructor: '1' });
  await expect(page.getByTestId('lesson-instructor-note')).toBeVisible();
  await expect(page.locator('#cfg-method')).toBeDisabled();
  await lesson.startRun();
  await lesson.next();
  await expect(page.getByTestId('lesson-answer-key')).toContainText('On the run on this page:');
  const key = (await page.getByTestId('lesson-answer-key').textContent())!;
  const heavier = await lesson.answerWrongThenRight();
  expect(key).toContain(heavier.because.slice(heavier.because.indexOf('Last epoch')));
  await lesson.next();
  await lesson.answerWrongThenRight();
  await lesson.expectBackAndReloadKeepThePlace();
});

test('a lesson on WebGPU: the main Train button’s run judges the question too', async ({ page }) => {
  const lesson = new LessonPage(page);
  // The link's own models and sizes over the lesson's: small enough for the emulated GPU (a tiny CNN teacher
  // trained on 16 images instead of the ready ResNet-20; 100 test images hold 10 cats).
  await lesson.open('dark-knowledge', { backend: 'webgpu', teacher: 'tiny-cnn', savedTeacher: '', student: 'tiny-cnn', teacherEpochs: '1', subset: '16', testSubset: '100', batch: '16' });
  await expect(lesson.app.backend).toContainText('webgpu', { timeout: 120_000 });
  await expect(lesson.app.button('train')).toBeEnabled({ timeout: 120_000 });
  await lesson.app.button('train').click();
  await lesson.app.waitForStatus(['done', 'error']);
  await expect(lesson.app.status).toHaveText('done');
  await lesson.next();
  await lesson.next();
  const { because } = await lesson.answerWrongThenRight();
  expect(because).toContain('test cats at T = 4');
});

test('a bad lesson link gets a note and the first step; hide= still hides', async ({ page }) => {
  const lesson = new LessonPage(page);
  await lesson.open('no-such-lesson', { lessonStep: '2', hide: 'runs,models' });
  await expect(page.getByTestId('lesson-notes')).toContainText('lesson=no-such-lesson is not a lesson');
  await expect(lesson.stepNumber).toHaveText('1');
  await expect(page.getByTestId('runs-panel')).toHaveCount(0);
  await lesson.open('calibration', { lessonStep: '99' });
  await expect(page.getByTestId('lesson-notes')).toContainText('lessonStep=99 is not a step of this lesson (1 to 3)');
  await expect(lesson.stepTitle).toHaveText(LESSONS[2]!.steps[0]!.title);
  await expect(page).toHaveURL(/lesson=calibration&lessonStep=1/);
});

test('on a phone the welcome and its default run come first, above the settings', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await page.goto('./');
  await expect(page.getByTestId('welcome').getByRole('button', { name: 'Start the default run' })).toBeInViewport();
  const welcome = (await page.getByTestId('welcome').boundingBox())!;
  expect(welcome.y).toBeLessThan((await page.locator('#settings').boundingBox())!.y);
  await page.screenshot({ path: 'e2e/screenshots/welcome-phone.png' });
  // It can be pressed while the page still loads its data and picks a backend: the run then starts by itself.
  const app = new Playground(page);
  await expect(app.status).toHaveText('loading');
  await page.getByRole('button', { name: 'Start the default run' }).click({ timeout: 5_000 });
  await expect(page.getByTestId('start-pending')).toHaveText('The run starts by itself once the page is ready.');
  // Starting it takes the page to the run's status, below the settings in one column (the test ends with the run).
  await expect(page.locator('#run')).toBeInViewport();
  await app.waitForStatus('training', 120_000);
  await expect(page.getByTestId('start-pending')).toHaveCount(0);
  await expect(page.locator('#run')).toBeInViewport();
});

test('a first visit says what the page does and offers the default run and the lessons', async ({ page }) => {
  await page.goto('./');
  const welcome = page.getByTestId('welcome');
  await expect(welcome).toContainText('Distillery trains a large teacher network');
  await expect(welcome.getByRole('link')).toHaveCount(LESSONS.length);
  await welcome.getByTestId('welcome-dismiss').click();
  await page.reload();
  await expect(page.getByTestId('section-nav')).toBeVisible();
  await expect(welcome).toHaveCount(0);
  await page.getByTestId('lessons').locator('summary').click();
  await page.getByTestId('lessons').getByRole('link', { name: LESSONS[1]!.title }).click();
  await expect(page.getByTestId('lesson-panel')).toContainText(LESSONS[1]!.title);
});
