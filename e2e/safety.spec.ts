/**
 * Safe to open any link: loss code from a link or a bundle waits for the person's consent, every way out of a
 * loss is refused at the form with its name, a loss that never returns is stopped by Stop, and a save the
 * browser refuses is named in the page. Nothing stored is lost on the way.
 */
import { expect, test, type Page } from '@playwright/test';
import { ESCAPES } from '../tests/helpers/lossEscapes';
import { subsetArchive, hasSubsetArchive } from './archives';
import { tinyCnnModelFiles } from './modelFiles';
import { Playground, TINIEST_RUN } from './playground';
import { bundle } from './runBundles';

const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
/** Harmless code that is not the template: what a colleague's link would carry. */
const LINKED_LOSS = '// mean absolute difference of the logits\nreturn tf.mean(tf.abs(tf.sub(student, teacher)));';
const jsonFile = (name: string, value: unknown) => ({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(value)) });

/** A saved run (from a bundle whose loss is someone else's) and a saved model, stored without training. */
async function storeRunAndModel(page: Page): Promise<void> {
  await page.getByTestId('bundle-import').setInputFiles(jsonFile('colleague.distillery-run.json', bundle('Colleague custom run', { method: 'custom', userLoss: LINKED_LOSS, methodParams: { T: 4, alpha: 1, ceWeight: 1 } })));
  await expect(page.getByTestId('run-row')).toHaveCount(1);
  await page.getByTestId('model-import').setInputFiles(await tinyCnnModelFiles('Fixture teacher', CLASSES));
  await expect(page.getByTestId('model-row')).toHaveCount(1);
}

/** The saved run is listed and opens; the saved model is listed and its stored weights export. */
async function expectStoresIntact(page: Page): Promise<void> {
  await expect(page.getByTestId('run-row')).toHaveCount(1);
  await expect(page.getByTestId('run-row')).toContainText('Colleague custom run');
  await expect(page.getByTestId('model-row')).toHaveCount(1);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('model-export').click()]);
  expect(download.suggestedFilename()).toMatch(/\.json$/);
}

test('loss code from a link or a bundle runs only after consent; every escape is refused by name; the stores stay', async ({ page }) => {
  test.setTimeout(4 * 60_000); // no training
  const app = new Playground(page);
  await app.open(TINIEST_RUN);
  await app.waitForStatus('idle', 120_000);
  await storeRunAndModel(page);

  // A link with its own loss and autostart: nothing runs, the code is shown read-only with where it came from.
  await app.open({ ...TINIEST_RUN, method: 'custom', userLoss: LINKED_LOSS, autostart: '1' });
  await app.waitForStatus('idle', 120_000);
  await expect(page.getByTestId('url-notes')).toContainText('Autostart was refused: this link carries its own loss code');
  const editor = page.getByTestId('user-loss');
  await expect(editor).toHaveValue(LINKED_LOSS);
  await expect(editor).toHaveAttribute('readonly', '');
  await expect(page.getByTestId('user-loss-origin')).toContainText('From a link: read-only until you choose to edit it');
  await expect(page.getByTestId('consent')).toContainText("This run's loss code came from a link");
  await expect(page.getByTestId('consent-run')).toHaveText('Run the loss code from a link');
  await expect(page.getByTestId('consent-run')).toBeEnabled();
  await expect(app.button('train')).toBeDisabled();
  await page.waitForTimeout(1500); // long enough for an estimate or an autostart to begin, if one wrongly would
  await expect(app.status).toHaveText('idle');
  await app.screenshot('consent-link');

  // Every escape, typed into the editor after choosing to edit: refused at the form, naming what it reached for.
  await page.getByTestId('user-loss-edit').click();
  await expect(editor).not.toHaveAttribute('readonly');
  for (const escape of ESCAPES) {
    await editor.fill(escape.code);
    await expect(page.locator('#cfg-userLoss-error'), escape.name).toHaveText(escape.refused);
    await expect(page.getByTestId('consent-run')).toBeDisabled();
  }
  await app.screenshot('escape-refused');
  // Edited code from a link is still the link's: it keeps asking.
  await editor.fill(`${LINKED_LOSS}\n// read it`);
  await expect(page.getByTestId('consent')).toBeVisible();

  // A saved run made from a bundle's code asks too, naming the bundle.
  await page.getByTestId('run-row').getByTestId('run-link').click();
  await expect(editor).toHaveValue(LINKED_LOSS);
  await expect(page.getByTestId('consent-run')).toHaveText('Run the loss code from a run bundle');
  await expect(app.button('train')).toBeDisabled();

  await page.reload();
  await app.waitForStatus('idle', 120_000);
  await expectStoresIntact(page);
});

test('Stop always stops: a consented loss that loops forever is ended, the run saved as stopped, the page usable', async ({ page }) => {
  const app = new Playground(page);
  // Two teacher epochs, so the run has a checkpoint to resume from when the student's loss hangs.
  await app.open({ ...TINIEST_RUN, teacherEpochs: '2', method: 'custom', userLoss: 'while (true) {}\nreturn tf.mean(student);', autostart: '1' });
  await app.waitForStatus('idle', 120_000);
  const backendBefore = await app.backend.textContent();
  await expect(page.getByTestId('url-notes')).toContainText('Autostart was refused');
  await page.getByTestId('consent-run').click();
  await app.waitForStatus('training');
  await expect(app.results.locator('tr[data-role=teacher]')).toHaveCount(1, { timeout: 5 * 60_000 });
  await page.waitForTimeout(2_000); // the students' first step is now stuck in the loss
  await app.button('stop').click();
  await expect(page.getByTestId('worker-notice')).toContainText('did not answer Stop', { timeout: 90_000 });
  await app.waitForStatus('idle', 120_000);
  await expect(app.backend).toHaveText(backendBefore ?? '');
  await expect(page.getByTestId('run-row')).toHaveCount(1);
  await expect(page.getByTestId('run-row')).toContainText(/stopped/i);
  await expect(page.getByTestId('resume-offer')).toBeVisible();
  await app.screenshot('stop-restarted');

  // Usable: fix the loss (an edit of code agreed to, so the person's own: no second consent) and train to the end.
  await page.getByTestId('resume-discard').click();
  await page.getByTestId('user-loss').fill('return tf.mean(tf.squaredDifference(student, teacher));');
  await expect(page.getByTestId('consent')).toHaveCount(0);
  await app.button('train').click();
  await app.waitForStatus('done');
  expect((await app.resultTable()).map((r) => r.role)).toEqual(['teacher', 'scratch', 'student']);
});

test('a save the browser refuses is named in the page, and the page goes on', async ({ page }) => {
  test.setTimeout(4 * 60_000); // no training
  test.skip(!hasSubsetArchive(), 'needs the CIFAR-10 subset archive');
  const app = new Playground(page);
  await app.open(TINIEST_RUN);
  await app.waitForStatus('idle', 120_000);
  // The browser's real quota, made tiny: IndexedDB then fails with QuotaExceededError, in the page and the worker.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(page.url()).origin, quotaSize: 1024 });

  await page.getByTestId('bundle-import').setInputFiles(jsonFile('big.distillery-run.json', bundle('Too big to keep')));
  await expect(page.getByTestId('bundle-error')).toContainText("read, but not kept in this browser: the browser's storage for this site is full (QuotaExceededError)");

  await page.getByTestId('dataset-import-input').setInputFiles({ name: 'cifar-10-binary-subset.tar.gz', mimeType: 'application/gzip', buffer: subsetArchive() });
  const notKept = page.getByTestId('not-kept');
  await expect(notKept).toContainText('the imported dataset cifar-10-binary-subset.tar.gz', { timeout: 120_000 });
  await expect(notKept).toContainText('QuotaExceededError');
  await app.screenshot('not-kept');
  // The imported dataset still works on this page; the notice goes when dismissed.
  await app.waitForStatus('idle', 120_000);
  await notKept.getByRole('button', { name: 'Dismiss' }).click();
  await expect(notKept).toHaveCount(0);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(page.url()).origin });
});
