import { expect, test } from '@playwright/test';
import { Playground, TINIEST_RUN } from './playground';

test('your own loss: a syntax error is refused at the form, a runtime error stops the run at its line, and Train is offered again', async ({ page }) => {
  const app = new Playground(page);
  await app.open({ ...TINIEST_RUN, method: 'custom' });
  await app.waitForStatus('idle', 60_000);
  const editor = page.getByTestId('user-loss');
  await expect(editor).toHaveValue(/tf\.logSoftmax/); // the template

  await editor.fill('const p = tf.softmax(student);\nreturn tf.mean(p +);');
  await expect(page.locator('#cfg-userLoss-error')).toContainText('Your loss, line 2');
  await expect(app.button('train')).toBeDisabled();

  await editor.fill('const p = tf.softmax(student);\nconst q = tf.matMul(student, teacher);\nreturn tf.mean(p);');
  await expect(page.locator('#cfg-userLoss-error')).toHaveCount(0);
  expect(new URL(page.url()).searchParams.get('userLoss')).toContain('matMul'); // shareable as a link
  await app.button('train').click();
  await app.waitForStatus('error');
  await expect(page.getByTestId('error')).toContainText(/Your loss, line 2: .*inner shapes/);
  await expect(app.button('train')).toBeEnabled(); // usable again (safety.spec trains a fixed loss to the end)
  await app.screenshot('custom-loss-error');
});
