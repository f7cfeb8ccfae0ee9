// @ts-check
/**
 * Main-thread long tasks in the real app (index.html) while it trains with every panel open: a
 * PerformanceObserver for 'longtask' (and 'long-animation-frame', whose script attribution says what ran)
 * is installed before the page's own code, the run starts from the URL (autostart=1), and the tasks that
 * overlap the 'training' status are counted.
 */
import { spanSummary } from './report.mjs';

/**
 * Runs in the page before its scripts (Playwright's addInitScript): records long tasks, long animation
 * frames and every change of the run-status text, and opens every <details> as it appears.
 */
function installRecorder() {
  const record = { tasks: [], frames: [], statuses: [], spans: [] };
  Object.defineProperty(window, '__distilleryBenchRecord', { value: record });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) record.tasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
  // The page's own named spans (performance.measure), e.g. one per chart redraw.
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) record.spans.push({ name: entry.name, start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'measure', buffered: true });
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const file = (url) => (url || '').split('/').pop() || 'page';
        const scripts = (entry.scripts ?? []).map((s) => ({
          // A script's own evaluation names its URL as the invoker: show the file once.
          what:
            s.invokerType === 'classic-script' || s.invokerType === 'module-script'
              ? `evaluating ${file(s.sourceURL || s.invoker)}`
              : `${s.invoker || s.invokerType || '?'}${s.sourceFunctionName ? ` → ${s.sourceFunctionName}` : ''} (${file(s.sourceURL)})`,
          duration: s.duration,
        }));
        record.frames.push({ start: entry.startTime, duration: entry.duration, blocking: entry.blockingDuration, scripts, renderMs: entry.startTime + entry.duration - entry.renderStart });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch {
    /* long-animation-frame is newer than longtask; without it the causes stay unknown */
  }
  let last = '';
  const watch = () => {
    const text = document.querySelector('[data-testid="run-status"]')?.textContent?.trim() ?? '';
    if (text !== last) record.statuses.push({ status: (last = text), t: performance.now() });
    for (const details of document.querySelectorAll('details:not([data-bench-opened])')) {
      details.setAttribute('data-bench-opened', '');
      details.open = true; // "all panels open": table alternatives and collapsed sections included
    }
  };
  new MutationObserver(watch).observe(document, { subtree: true, childList: true, characterData: true });
}

/**
 * What took the main thread while training: the longest frames' scripts, summed by what ran them.
 * @param {{ start: number, duration: number, scripts: { what: string, duration: number }[], renderMs: number }[]} frames
 */
function causes(frames) {
  const byScript = new Map();
  let renderMs = 0;
  for (const frame of frames) {
    renderMs += Math.max(0, frame.renderMs);
    for (const script of frame.scripts) byScript.set(script.what, (byScript.get(script.what) ?? 0) + script.duration);
  }
  const top = [...byScript].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([what, ms]) => ({ what, ms: Math.round(ms) }));
  return { scripts: top, renderAndLayoutMs: Math.round(renderMs) };
}

/**
 * @param {import('@playwright/test').Browser} browser
 * @param {string} baseUrl
 * @param {{ subset: number, testSubset: number, batch: number, epochs: number }} run
 * @param {(text: string) => void} progress
 */
export async function measureAppLongTasks(browser, baseUrl, run, progress) {
  const params = new URLSearchParams({
    teacher: 'tiny-cnn',
    student: 'tiny-cnn',
    subset: String(run.subset),
    testSubset: String(run.testSubset),
    batch: String(run.batch),
    epochs: String(run.epochs),
    teacherEpochs: '1',
    method: 'kd',
    autostart: '1',
  });
  const url = `${baseUrl}?${params}`;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(installRecorder);
    await page.goto(url);
    const status = page.getByTestId('run-status');
    await status.waitFor({ timeout: 60_000 });
    const started = Date.now();
    let shown = '';
    for (;;) {
      const text = ((await status.textContent()) ?? '').trim();
      if (text !== shown) progress(`app page: ${(shown = text)}`);
      if (text === 'done' || text === 'error') break;
      if (Date.now() - started > 30 * 60_000) throw new Error('the app page did not finish its run within 30 minutes');
      await page.waitForTimeout(1000);
    }
    if (shown === 'error') throw new Error(`the app page's run ended in error: ${await page.locator('[role=alert]').allTextContents()}`);
    const backend = ((await page.getByTestId('backend').textContent()) ?? '').trim();
    const record = await page.evaluate(() => /** @type {any} */ (window).__distilleryBenchRecord);
    return summarise(record, { url: url.replace(baseUrl, '/'), backend });
  } finally {
    await context.close();
  }
}

/** The tasks and frames that overlap the training window (first 'training' to the 'done' after it). */
function summarise(record, info) {
  const training = record.statuses.find((s) => s.status === 'training');
  const done = record.statuses.find((s) => s.status === 'done' && (!training || s.t >= training.t));
  const from = training?.t ?? 0;
  const to = done?.t ?? Number.POSITIVE_INFINITY;
  const overlaps = (entry) => entry.start + entry.duration >= from && entry.start <= to;
  const tasks = record.tasks.filter(overlaps);
  const frames = record.frames.filter(overlaps);
  return {
    ...info,
    trainingSeconds: Number.isFinite(to) ? (to - from) / 1000 : null,
    count: tasks.length,
    longestMs: tasks.reduce((max, t) => Math.max(max, t.duration), 0),
    totalMs: tasks.reduce((sum, t) => sum + t.duration, 0),
    wholePage: { count: record.tasks.length, longestMs: record.tasks.reduce((max, t) => Math.max(max, t.duration), 0), spans: spanSummary(record.spans) },
    longAnimationFrames: frames.length,
    causes: causes(frames),
    spans: spanSummary(record.spans.filter(overlaps)),
    statuses: record.statuses.map((s) => `${s.status || '(none)'}@${(s.t / 1000).toFixed(1)}s`),
  };
}
