import { expect, test } from '@playwright/test';
import { Playground, TINIEST_RUN } from './playground';

test('your own loss: a syntax error is refused at the form, a runtime error stops the run at its line, and the page stays usable', async ({ page }) => {
  const app = new Playground(page);
  await app.open({ ...TINIEST_RUN, method: 'custom' });
  await app.waitForStatus('idle', 60_000);
  const editor = page.getByTestId('user-loss');
  await expect(editor).toHaveValue(/tf\.logSoftmax/); // the template

  await editor.fill('const p = tf.softmax(student);\nreturn tf.mean(p +);');
  await expect(page.locator('#cfg-userLoss-error')).toContainText('Your loss, line 2');
  await expect(app.button('train')).toBeDisabled();

  await editor.fill('const p = tf.softmax(student);\nconst q = teacher.noSuchOp();\nreturn tf.mean(p);');
  await expect(page.locator('#cfg-userLoss-error')).toHaveCount(0);
  expect(new URL(page.url()).searchParams.get('userLoss')).toContain('noSuchOp'); // shareable as a link
  await app.button('train').click();
  await app.waitForStatus('error');
  await expect(page.getByTestId('error')).toContainText(/Your loss, line 2: .*noSuchOp/);
  await app.screenshot('custom-loss-error');

  // Fix it and train again in the same page.
  await editor.fill('return tf.mean(tf.squaredDifference(student, teacher));');
  await app.button('train').click();
  await app.waitForStatus('done');
  expect((await app.resultTable()).map((r) => r.role)).toEqual(['teacher', 'scratch', 'student']);
});
