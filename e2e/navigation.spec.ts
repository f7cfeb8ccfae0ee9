/**
 * The sticky list of sections: every panel on the page is one click (or Tab and Enter) away, the section
 * jumped to is the URL's hash without touching the settings, a link with a hash opens on that section, and
 * the list fits a 375 px screen, with a shade at an edge where it runs on past the screen.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { Playground, TINIEST_RUN } from './playground';

/**
 * How much darker than the page's background the list's outermost pixels are, at each edge, in its top rows
 * (above the links, so only the background shows): the shade that says the list runs on past that edge.
 */
async function edgeShades(page: Page, nav: Locator): Promise<{ left: number; right: number }> {
  const png = (await nav.screenshot()).toString('base64');
  return page.evaluate(async (data) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const context = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d')!;
    context.drawImage(bitmap, 0, 0);
    const meanLevel = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
    const background = meanLevel((getComputedStyle(document.documentElement).backgroundColor.match(/\d+/g) ?? []).slice(0, 3).map(Number));
    const darkness = (x0: number): number => {
      const rgba = [...context.getImageData(x0, 1, 3, 3).data];
      return background - meanLevel(rgba.filter((_, i) => i % 4 !== 3));
    };
    return { left: darkness(0), right: darkness(bitmap.width - 3) };
  }, png);
}

test('the section list reaches every panel, keeps the jump in the URL and opens a link on its section', async ({ page }) => {
  const app = new Playground(page);
  await app.open({ ...TINIEST_RUN, method: 'kd', autostart: '1' });
  await app.waitForStatus(['done', 'error']);
  const nav = page.getByTestId('section-nav');
  const names = await nav.getByRole('link').allTextContents();
  for (const name of ['Settings', 'Run', 'Results', 'Live curves', 'Calibration', 'Relevance-reinforced inputs']) expect(names).toContain(name);
  const query = new URL(page.url()).search;

  // At 1280 px the list runs past the right edge; a shade there, and none at the left, says it scrolls.
  await nav.evaluate((element) => element.scrollTo({ left: 0 }));
  expect(await nav.evaluate((element) => element.scrollWidth > element.clientWidth)).toBe(true);
  let shades = await edgeShades(page, nav);
  expect(shades.right).toBeGreaterThan(20);
  expect(shades.left).toBeLessThan(3);
  await nav.evaluate((element) => element.scrollTo({ left: element.scrollWidth }));
  shades = await edgeShades(page, nav);
  expect(shades.left).toBeGreaterThan(20);
  expect(shades.right).toBeLessThan(3);
  await nav.evaluate((element) => element.scrollTo({ left: 0 }));

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
