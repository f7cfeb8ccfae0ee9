import { expect, test } from '@playwright/test';
import { Playground } from './playground';

test('bad URL values are clamped or refused with a visible note; unknown keys are ignored', async ({ page }) => {
  const app = new Playground(page);
  await app.open({ epochs: '99999', teacher: 'resnet9000', lr: 'fast', whatever: '1' });
  const notes = page.getByTestId('url-notes');
  await expect(notes).toContainText('epochs=99999 is above the maximum; using 500');
  await expect(notes).toContainText('teacher=resnet9000 is not one of');
  await expect(notes).toContainText('lr=fast is not a number');
  await expect(notes).not.toContainText('whatever');
  await expect(page.locator('#cfg-epochs')).toHaveValue('500');
  await app.waitForStatus('idle', 60_000);
  await app.screenshot('url-notes');
});

test('an invalid value in the form is refused with a reason and Train is disabled until fixed', async ({ page }) => {
  const app = new Playground(page);
  await app.open();
  await app.waitForStatus('idle', 60_000);
  await page.locator('#cfg-batch').fill('0');
  await expect(page.locator('#cfg-batch-error')).toContainText('below the minimum');
  await expect(app.button('train')).toBeDisabled();
  await page.locator('#cfg-batch').fill('64');
  await expect(page.locator('#cfg-batch-error')).toHaveCount(0);
  await expect(app.button('train')).toBeEnabled();
});

test('a dataset that is not installed gets a clear message and the page stays usable', async ({ page }) => {
  const app = new Playground(page);
  await app.open({ dataset: 'cifar100' });
  await expect(page.getByTestId('dataset-error')).toContainText('Dataset "cifar100" is not installed');
  await page.locator('#cfg-dataset').selectOption('cifar10-subset');
  await app.waitForStatus('idle', 60_000);
  await expect(page.getByTestId('dataset-error')).toHaveCount(0);
  await expect(app.button('train')).toBeEnabled();
});

test('hide= publishes a simplified classroom view that stays in the address bar; presets are links', async ({ page }) => {
  const app = new Playground(page);
  await app.open({ teacher: 'tiny-cnn', hide: 'settings,runs,bogus' });
  await expect(page.getByRole('form', { name: 'Run settings' })).toHaveCount(0);
  await expect(page.getByTestId('runs-panel')).toHaveCount(0);
  await expect(page.getByTestId('url-notes')).toContainText('hide=bogus');
  await expect(app.button('train')).toBeVisible();
  await expect.poll(() => new URL(page.url()).searchParams.get('hide')).toBe('settings,runs');
  expect(new URL(page.url()).searchParams.get('teacher')).toBe('tiny-cnn');

  await app.open();
  await page.getByTestId('presets').locator('summary').click();
  const links = page.getByTestId('presets').getByRole('link');
  await expect(links).toHaveCount(8);
  await links.filter({ hasText: 'REFILLED' }).click();
  await expect(page.locator('#cfg-method')).toHaveValue('refilled');
  await expect(page.locator('#cfg-stage1Epochs')).toHaveValue('20');
  await expect(page.locator('#cfg-milestones')).toHaveValue('10,14,18');
  await expect(page.locator('#cfg-decay')).toHaveValue('0.2');
});

test('the step schedule shows its milestones and decay, each refused with its reason, and hides them otherwise', async ({ page }) => {
  const app = new Playground(page);
  await app.open({ epochs: '24' });
  await app.waitForStatus('idle', 60_000);
  await expect(page.locator('#cfg-milestones')).toHaveCount(0);
  await page.locator('#cfg-schedule').selectOption('step');
  await expect(page.locator('#cfg-milestones')).toHaveValue('');
  await expect(page.locator('#cfg-decay')).toHaveValue('0.1');
  await page.locator('#cfg-milestones').fill('15,18,30');
  await expect(page.locator('#cfg-milestones-error')).toContainText('epoch 30 is not within 1..24');
  await expect(app.button('train')).toBeDisabled();
  await page.locator('#cfg-milestones').fill('18,15');
  await expect(page.locator('#cfg-milestones-error')).toContainText('must rise from one epoch to the next');
  await page.locator('#cfg-milestones').fill('15,18,21');
  await expect(page.locator('#cfg-milestones-error')).toHaveCount(0);
  await page.locator('#cfg-decay').fill('0');
  await expect(page.locator('#cfg-decay-error')).toContainText('below the minimum');
  await page.locator('#cfg-decay').fill('0.2');
  await expect(app.button('train')).toBeEnabled();
  await expect.poll(() => new URL(page.url()).searchParams.get('milestones')).toBe('15,18,21');
  expect(new URL(page.url()).searchParams.get('decay')).toBe('0.2');
  // The settings column scrolls on its own: a picture of the viewport with the step fields in it.
  await page.locator('#cfg-decay').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'e2e/screenshots/step-schedule.png' });
  await page.locator('#cfg-schedule').selectOption('cosine');
  await expect(page.locator('#cfg-milestones')).toHaveCount(0);
  await expect.poll(() => new URL(page.url()).searchParams.has('milestones')).toBe(false);
});
