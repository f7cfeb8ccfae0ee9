// @ts-check
/**
 * results.json → results.md: the targets first, then one table per measurement, then what was left out
 * and why. Pure: the same results always give the same text.
 */
import { formatNumber as f, markdownTable, median, passLabel } from './report.mjs';

const plural = (count, noun) => `${count} ${noun}${count === 1 ? '' : 's'}`;
const mb = (bytes) => (typeof bytes === 'number' ? f(bytes / 2 ** 20, 2) : '–');

function header(r) {
  const m = r.meta;
  const backends = Object.entries(r.backends)
    .map(([name, b]) => `${name} ${b.status === 'available' ? 'available' : `unavailable (${b.reason})`}`)
    .join('; ');
  const adapter = m.adapter.available ? `${m.adapter.vendor} / ${m.adapter.architecture}${m.adapter.description ? ` / ${m.adapter.description}` : ''}` : `none (${m.adapter.reason})`;
  return [
    `# Distillery benchmark (${m.mode} mode)`,
    '',
    `- Date: ${m.date}; commit ${m.commit}${m.dirty ? ' (with uncommitted changes)' : ''}; took ${f(m.durationSeconds / 60, 1)} min`,
    `- Machine: ${m.machine.os}, ${m.machine.cpus}× ${m.machine.cpuModel}, ${f(m.machine.memoryGiB, 1)} GiB RAM; Node ${m.machine.node}`,
    `- Browser: ${m.browser.version} (${m.browser.executablePath}${m.browser.headed ? ', headed' : ', headless'})`,
    `- WebGPU adapter (adapter.info): ${adapter}`,
    `- Backends: ${backends}`,
    `- Batch ${m.batch}; each throughput figure is the median of ${plural(m.timedSteps, 'timed step')} after ${plural(m.warmupSteps, 'warm-up step')} per variant; ours / bare is the median of the ${plural(m.timedSteps, 'interleaved pair')}' speed ratios`,
  ].join('\n');
}

function targets(r) {
  return markdownTable(
    ['Target', 'Measured', 'Result'],
    r.targets.map((t) => [t.label, t.detail, passLabel(t.pass)]),
  );
}

function throughput(r) {
  const rows = r.throughput.map((t) => [t.backend, t.model, t.method, t.teachers, f(t.oursImagesPerSecond, 2), f(t.baselineImagesPerSecond, 2), f(t.ratio, 2), f(median(t.oursStepSeconds), 2)]);
  return markdownTable(['Backend', 'Model', 'Method', 'Teachers', 'Ours img/s', 'Bare tfjs img/s', 'Ours / bare', 'Ours s/step'], rows);
}

function skipped(r) {
  if (r.skipped.length === 0) return 'Nothing was left out.';
  // One line per reason, listing its cells: a quick run leaves many out for the same reason.
  const byReason = new Map();
  for (const s of r.skipped) {
    const cell = `${s.backend} ${s.model} ${s.method}${s.estimateSeconds ? ` (~${Math.round(s.estimateSeconds)} s)` : ''}`;
    byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), cell]);
  }
  return [...byReason].map(([reason, cells]) => `- ${reason}: ${cells.join(', ')}`).join('\n');
}

function firstStep(r) {
  return markdownTable(
    ['Backend', 'Model', 'First step (s)', 'Later steps, median (s)', 'First / later'],
    r.firstStep.map((s) => [s.backend, s.model, f(s.firstStepSeconds, 2), f(s.laterStepSeconds, 2), f(s.ratio, 1)]),
  );
}

function cache(r) {
  const c = r.teacherCache;
  if (!c) return 'Not measured.';
  const lines = [
    `KD, ${c.teacher} teacher → ${c.student} student, augmentation off, batch ${c.batch}, ${c.epochs} student epochs of ${c.subset} images, through \`runExperiment\`; ` +
      'students\' training steps only (scratch baseline and KD student in lockstep; evaluation and the teacher\'s training excluded; an untimed first run trains the shared teacher and compiles the shaders). ' +
      `Backend: ${c.backend}, the faster GPU backend here by the tiny CNN's scratch step (${Object.entries(c.secondsPerImage).map(([b, s]) => `${b} ${f(1000 * s, 0)} ms/image`).join(', ')}). ` +
      'The cache is built once per student phase (one teacher pass over the training images, counted in the timing), so the more epochs, the more it saves. ' +
      (c.fieldInRunServices ? '`RunServices.cacheTeacherOutputs` is in src/training/run.ts.' : '`RunServices.cacheTeacherOutputs` is not in src/training/run.ts yet: both settings run the same code, so expect about 1.0×.'),
    '',
    markdownTable(
      ['cacheTeacherOutputs', 'Student-phase img/s', 'Runs'],
      [
        ['true', f(c.cachedImagesPerSecond, 2), c.runs.filter((x) => x.cacheTeacherOutputs).length],
        ['false', f(c.uncachedImagesPerSecond, 2), c.runs.filter((x) => !x.cacheTeacherOutputs).length],
      ],
    ),
    '',
    `Speed-up: ${f(c.speedup, 2)}× (target ≥ 1.5×).`,
  ];
  return lines.join('\n');
}

/** The page's named spans (one per chart redraw) while training, longest first. */
function spans(l) {
  if (!l.spans?.length) return [];
  return [
    '',
    'Chart redraws while training (the page measures each `Plotly.react` as a `chart: <label>` span):',
    '',
    markdownTable(
      ['Chart', 'Redraws', 'Longest (ms)', 'Total (ms)'],
      l.spans.map((s) => [s.name.replace(/^chart: /, ''), s.count, f(s.longestMs, 0), f(s.totalMs, 0)]),
    ),
  ];
}

/** The same loss chart redrawn with the page otherwise idle (nothing training), for comparison. */
function idleRedraw(c) {
  if (!c) return [];
  return [
    '',
    `The live loss chart redrawn on an otherwise idle page (no training, so no emulated GPU competing for the cores; ${c.redraws} redraws, ${c.pointsPerRedraw} more points per learner each): ` +
      `the first draw ${f(c.firstMs, 0)} ms (Plotly's code not yet run; the app draws a throwaway figure while the dataset loads to take this cost early), later redraws median ${f(c.medianMs, 0)} ms, longest ${f(c.longestMs, 0)} ms.`,
  ];
}

function longTasks(r) {
  const l = r.longTasks;
  if (!l) return 'Not measured.';
  const causes = l.causes.scripts.map((s) => `${s.what}: ${s.ms} ms`).join('; ') || 'no script attribution';
  return [
    `\`${l.url}\` on ${l.backend}, every panel open; ${f(l.trainingSeconds, 0)} s of training.`,
    '',
    markdownTable(
      ['Long tasks while training', 'Longest (ms)', 'Total (ms)', 'Whole page: count / longest (ms)'],
      [[l.count, f(l.longestMs, 0), f(l.totalMs, 0), `${l.wholePage.count} / ${f(l.wholePage.longestMs, 0)}`]],
    ),
    '',
    `What ran in the long animation frames while training (script time summed): ${causes}; rendering and layout ${l.causes.renderAndLayoutMs} ms.`,
    ...spans(l),
    ...idleRedraw(r.chartRedraw),
  ].join('\n');
}

function memory(r) {
  const m = r.memory;
  if (!m) return 'Not measured.';
  const rows = m.readings.map((x) => [x.learner, x.epoch, x.numTensors, mb(x.numBytes), mb(x.gpuBytesInUse), mb(x.gpuBytesAllocated)]);
  return [
    `KD ${m.model} → ${m.model} on ${m.backend}, ${m.epochs} epochs of ${m.subset} images, batch ${m.batch}; read at each epoch event. ` +
      `Live tensors before the run ${m.tensorsBefore}, after it ${m.tensorsAfter}.`,
    '',
    markdownTable(['Learner', 'Epoch', 'numTensors', 'numBytes (MiB)', 'GPU in use (MiB)', 'GPU allocated (MiB)'], rows),
  ].join('\n');
}

function dataset(r) {
  const d = r.dataset;
  if (!d) return 'Not measured.';
  return `\`loadDataset\` of ${d.name} (${mb(d.bytes)} MiB, ${d.trainCount} + ${d.testCount} images, SHA-256 checked) in the worker: median ${f(median(d.seconds), 2)} s over ${plural(d.seconds.length, 'load')} (${d.seconds.map((s) => f(s, 2)).join(', ')} s; the first from the server, later ones revalidated against the browser cache).`;
}

function tsne(r) {
  return markdownTable(
    ['Points', 'Method', 'Iterations run', 'Affinities (s)', 'Total (s)', 'Projected for 1000 iterations (s)'],
    r.tsne.map((t) => [t.points, t.method, t.iterations, f(median(t.affinitySeconds), 2), f(t.seconds, 2), f(t.projected1000Seconds, 1)]),
  );
}

/** The whole report. */
export function renderMarkdown(r) {
  return [
    header(r),
    '## Targets',
    targets(r),
    '## Training throughput',
    `The app's step (createLearner, BatchSource, teacherContext, trainStep: what a run does per batch) against the same step as a bare tfjs loop (optimizer.minimize with tf.train.momentum; cross-entropy, the weight decay as an L2 penalty in the loss, plus the KD term), interleaved step by step on the same backend, model and images, augmentation off. Both run the teachers every step (the teacher-output cache is measured below). Teachers are untrained copies of the student's architecture; aver-mkd uses 2.`,
    throughput(r),
    skipped(r),
    '## Time to first step (shader warm-up)',
    firstStep(r),
    '## Teacher-output cache',
    cache(r),
    '## Main-thread long tasks in the app',
    longTasks(r),
    '## Memory per epoch',
    memory(r),
    '## Dataset load',
    dataset(r),
    '## t-SNE (the project\'s own, in a worker)',
    tsne(r),
    ...(r.errors?.length > 0 ? ['## Errors', r.errors.map((e) => `- ${e.section}: ${e.message}`).join('\n')] : []),
    ...(r.notes.length > 0 ? ['## Notes', r.notes.map((n) => `- ${n}`).join('\n')] : []),
    '',
  ].join('\n\n');
}
