/** Page object for a lesson's side panel: moving through steps, starting its run, answering its questions. */
import { expect, type Locator, type Page } from '@playwright/test';
import { Playground } from './playground';

export class LessonPage {
  readonly app: Playground;

  constructor(readonly page: Page) {
    this.app = new Playground(page);
  }

  get panel() {
    return this.page.getByTestId('lesson-panel');
  }

  get stepTitle() {
    return this.page.getByTestId('lesson-step-title');
  }

  get stepNumber() {
    return this.page.getByTestId('lesson-step-number');
  }

  get verdict() {
    return this.page.getByTestId('lesson-verdict');
  }

  /** Opens a lesson at the quick pace on the WebAssembly backend, as tests whose subject is not the backend may. */
  async open(id: string, extra: Record<string, string> = {}): Promise<void> {
    await this.app.open({ lesson: id, lessonPace: 'quick', backend: 'wasm', ...extra });
    await expect(this.panel).toBeVisible();
  }

  async next(): Promise<void> {
    const before = Number(await this.stepNumber.textContent());
    await this.page.getByTestId('lesson-next').click();
    await expect(this.stepNumber).toHaveText(String(before + 1));
    await expect(this.stepTitle).toBeFocused();
  }

  /** Next, with a panel 1500 px taller after `above` a moment later, while the page scrolls to the step's panel. */
  async nextWhileAPanelAboveGrows(above: Locator): Promise<void> {
    const before = Number(await this.stepNumber.textContent());
    await this.page.getByTestId('lesson-next').click();
    await above.evaluate((element) => new Promise<void>((grown) => setTimeout(() => {
      const growth = Object.assign(document.createElement('div'), { className: 'test-growth' });
      growth.style.height = '1500px';
      element.after(growth);
      grown();
    }, 100)));
    await expect(this.stepNumber).toHaveText(String(before + 1));
  }

  async back(): Promise<void> {
    const before = Number(await this.stepNumber.textContent());
    await this.page.getByTestId('lesson-back').click();
    await expect(this.stepNumber).toHaveText(String(before - 1));
  }

  /** Back and Next again, then a reload: the same step, its checked answer still shown. */
  async expectBackAndReloadKeepThePlace(): Promise<void> {
    const step = (await this.stepNumber.textContent())!;
    await this.back();
    await this.next();
    await this.page.reload();
    await expect(this.stepNumber).toHaveText(step);
    await expect(this.page).toHaveURL(new RegExp(`lessonStep=${step}`));
    await expect(this.verdict).toContainText('Right.');
  }

  /** Presses the step's "Start this run" and waits for the run to end well. */
  async startRun(): Promise<void> {
    await this.page.getByTestId('lesson-train').click();
    await this.app.waitForStatus(['done', 'error']);
    await expect(this.app.status).toHaveText('done');
  }

  /** Checks one choice; returns whether the page called it right. */
  async answer(choice: string): Promise<boolean> {
    await this.page.getByTestId(`lesson-choice-${choice}`).check();
    await this.page.getByTestId('lesson-check').click();
    await expect(this.verdict).toBeVisible();
    return (await this.verdict.textContent())!.trim().startsWith('Right.');
  }

  /**
   * Answers the step's question wrong and then right, whichever the run makes right: the verdict names the
   * run's answer, which is then checked. Returns the right choice and the run's numbers as the page gave them.
   */
  async answerWrongThenRight(): Promise<{ right: string; because: string }> {
    const choices = await this.page.getByTestId('lesson-question').locator('input[type=radio]').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
    const labels = await this.page.getByTestId('lesson-question').locator('label').allTextContents();
    let right = choices[0]!;
    if (await this.answer(right)) {
      await expect(this.verdict).toContainText('Right.');
      right = choices[0]!;
      expect(await this.answer(choices[1]!)).toBe(false);
    } else {
      const says = (await this.verdict.textContent())!;
      right = choices.find((_, i) => says.includes(`Your run says: ${labels[i]!.trim()}.`))!;
      expect(right, `the verdict names one of the choices: ${says}`).toBeDefined();
    }
    await expect(this.verdict).toContainText('Not quite');
    expect(await this.answer(right)).toBe(true);
    const because = (await this.verdict.textContent())!;
    return { right, because };
  }
}
