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
  await expect(links).toHaveCount(7);
  await links.filter({ hasText: 'REFILLED' }).click();
  await expect(page.locator('#cfg-method')).toHaveValue('refilled');
  await expect(page.locator('#cfg-stage1Epochs')).toHaveValue('10');
});
