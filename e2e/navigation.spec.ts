/**
 * The sticky list of sections: every panel on the page is one click (or Tab and Enter) away, the section
 * jumped to is the URL's hash without touching the settings, a link with a hash opens on that section, and
 * the list fits a 375 px screen.
 */
import { expect, test } from '@playwright/test';
import { Playground, TINIEST_RUN } from './playground';

test('the section list reaches every panel, keeps the jump in the URL and opens a link on its section', async ({ page }) => {
  const app = new Playground(page);
  await app.open({ ...TINIEST_RUN, method: 'kd', autostart: '1' });
  await app.waitForStatus(['done', 'error']);
  const nav = page.getByTestId('section-nav');
  const names = await nav.getByRole('link').allTextContents();
  for (const name of ['Settings', 'Run', 'Results', 'Live curves', 'Calibration', 'Relevance-reinforced inputs']) expect(names).toContain(name);
  const query = new URL(page.url()).search;

  await nav.getByRole('link', { name: 'Calibration' }).click();
  await expect(page.locator('#reliability-title')).toBeInViewport();
  await expect(page.locator('#reliability-title')).toBeFocused();
  await expect(nav.getByRole('link', { name: 'Calibration' })).toHaveAttribute('aria-current', 'location');
  expect(new URL(page.url()).hash).toBe('#reliability-title');
  expect(new URL(page.url()).search).toBe(query);
  // The list stays in view, so the next jump is one keypress away.
  await expect(nav).toBeInViewport();
  await nav.getByRole('link', { name: 'Results' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('#results-title')).toBeInViewport();
  expect(new URL(page.url()).hash).toBe('#results-title');
  await page.screenshot({ path: 'e2e/screenshots/section-nav.png' });

  // A link with a hash opens on that section (the runs panel is there after a reload: the run was kept).
  await page.goto(`/${query}#runs-title`);
  await expect(page.locator('#runs-title')).toBeInViewport();
});

test('the section list fits a phone: it scrolls sideways, the page does not', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  const app = new Playground(page);
  await app.open({ ...TINIEST_RUN, method: 'kd', autostart: '1' });
  await app.waitForStatus(['done', 'error']);
  const nav = page.getByTestId('section-nav');
  await expect(nav).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await nav.getByRole('link', { name: 'Calibration' }).click();
  await expect(page.locator('#reliability-title')).toBeInViewport();
  await page.screenshot({ path: 'e2e/screenshots/section-nav-phone.png' });
});
