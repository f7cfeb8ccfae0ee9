/**
 * The settings' menus show every built-in choice whole: a closed <select> shows one line, cut at its box
 * with no ellipsis, so a long entry ("CIFAR-10 subset (5085 train / 1017 test)", "ResNet-20, ready: 64% on
 * CIFAR-10 subset") lost its end in the 320 px sidebar. Measured with the menu's own font, at the desktop
 * width and on a phone.
 */
import { expect, test, type Page } from '@playwright/test';
import { Playground } from './playground';

/** Room Chromium's closed menu leaves between the text's start and its arrow, beyond the padding (measured: 14 px). */
const ARROW_ROOM = 16;

/** Each option in the settings' menus whose text is wider than its menu shows: "menu | text | width > room". */
async function cutOptions(page: Page): Promise<string[]> {
  return page.evaluate((arrowRoom) => {
    const context = document.createElement('canvas').getContext('2d')!;
    return [...document.querySelectorAll<HTMLSelectElement>('form.config select')].flatMap((select) => {
      const style = getComputedStyle(select);
      context.font = style.font;
      const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - arrowRoom;
      return [...select.options].flatMap((option) => {
        const width = context.measureText(option.text).width;
        return width > room ? [`${select.id} | ${option.text} | ${width.toFixed(0)} > ${room.toFixed(0)}`] : [];
      });
    });
  }, ARROW_ROOM);
}

for (const viewport of [{ width: 1280, height: 800 }, { width: 375, height: 800 }]) {
  test(`every built-in choice in the settings' menus shows whole at ${viewport.width} px`, async ({ page }) => {
    await page.setViewportSize(viewport);
    const app = new Playground(page);
    // Two teachers, so the second teacher's menu is measured too.
    await app.open({ method: 'camkd', teachers: '2' });
    await expect(page.locator('#cfg-savedTeacher option', { hasText: 'ready' })).toHaveCount(3);
    await expect(page.locator('#cfg-savedTeacher-1')).toBeVisible();
    await expect(page.locator('#cfg-dataset option:checked')).toHaveText('CIFAR-10 subset');
    // The dataset's counts moved from its menu entry to the line under it.
    await expect(page.getByTestId('dataset-details')).toHaveText('5085 train / 1017 test');
    expect(await cutOptions(page)).toEqual([]);
  });
}
