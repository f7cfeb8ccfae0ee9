/**
 * Nothing lost on a reload: a run checkpoints after every epoch, the page offers to resume it after a
 * reload, and the resumed run ends with the numbers of the same run left alone.
 */
import { expect, test, type Page } from '@playwright/test';
import { Playground, TINIEST_RUN } from './playground';

// Six epochs of 8 batches: on wasm an epoch takes about a second, so the reload after the first checkpoint
// lands well before the run ends (with 3 one-batch epochs it could finish first).
const RUN = { ...TINIEST_RUN, subset: '128', method: 'scratch', epochs: '6', seed: '4' } as const;

/** The checkpoint the worker keeps in IndexedDB: which phase and how many epochs it holds. */
function checkpointEpochs(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const request = indexedDB.open('distillery-checkpoints');
        request.onerror = () => resolve(0);
        request.onsuccess = () => {
          const db = request.result;
          if (!db.objectStoreNames.contains('checkpoints')) return (db.close(), resolve(0));
          const get = db.transaction('checkpoints').objectStore('checkpoints').get('latest');
          get.onsuccess = () => (db.close(), resolve((get.result?.epochsDone as number | undefined) ?? 0));
          get.onerror = () => (db.close(), resolve(0));
        };
      }),
  );
}

async function scratchRow(app: Playground) {
  const row = app.results.locator('tr[data-role=scratch]');
  return { accuracy: await row.getByTestId('accuracy').textContent(), ece: await row.getByTestId('ece').textContent(), text: await row.locator('td').nth(5).textContent() };
}

test('a run interrupted by a reload resumes where it stopped and ends with the same numbers', async ({ page }) => {
  test.setTimeout(10 * 60_000);
  const app = new Playground(page);

  // The reference: the same run, left alone.
  await app.open({ ...RUN, autostart: '1' });
  await app.waitForStatus(['done', 'error']);
  await expect(app.status).toHaveText('done');
  const reference = await scratchRow(app);
  expect(await checkpointEpochs(page)).toBe(0); // a finished run leaves no checkpoint

  // Again, reloading the page once its first epoch is checkpointed.
  await app.button('train').click();
  await app.waitForStatus('training');
  await expect.poll(() => checkpointEpochs(page), { timeout: 4 * 60_000, intervals: [250] }).toBeGreaterThanOrEqual(1);
  await page.reload();
  await app.waitForStatus('idle', 120_000);
  const offer = page.getByTestId('resume-offer');
  await expect(offer).toContainText(/students: epoch [1-5] of 6 done/);
  await page.getByTestId('run-status').scrollIntoViewIfNeeded();
  await offer.screenshot({ path: 'e2e/screenshots/resume-offer.png' });

  await page.getByTestId('resume-run').click();
  await app.waitForStatus(['done', 'error']);
  await expect(app.status).toHaveText('done');
  await expect(offer).toHaveCount(0);
  // Every epoch is in the curves: the checkpointed ones and the resumed ones.
  await page.getByText('Curves as a table').click();
  await expect(page.getByTestId('epoch-table').locator('tbody tr')).toHaveCount(6);
  expect(await scratchRow(app)).toEqual(reference);
  expect(await checkpointEpochs(page)).toBe(0);
});
