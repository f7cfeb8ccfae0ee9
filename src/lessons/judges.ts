/**
 * The answer to each lesson question, worked out from the learner's own run (pure): which choice its
 * numbers make right, and the numbers in a sentence. Where a difference could be chance, the judge uses the
 * 95% paired bootstrap interval over the test images, and "cannot tell" is the right answer when it holds 0.
 */
import type { EpochMetrics, ModelResult } from '../contract/protocol';
import type { MethodId } from '../contract/methodCatalog';
import { fitTemperature } from '../core/calibration';
import { argmaxRow, softmaxRows } from '../core/metrics';
import { compareAccuracy, compareEce, type PairedComparison } from '../core/pairedComparison';
import type { JudgeId, LessonQuestion } from './types';

/** The t-SNE panel's silhouettes of the teacher's responses to plain inputs and to x* at `gamma`. */
export interface ResponsesSilhouettes {
  readonly gamma: number;
  readonly plain: number;
  readonly reinforced: number;
}

/** What a finished run left on the page, as the judges read it. */
export interface RunEvidence {
  readonly method: MethodId;
  readonly seed: number;
  readonly results: readonly ModelResult[];
  readonly epochs: readonly EpochMetrics[];
  readonly classNames: readonly string[];
  /** Null until the t-SNE panel has mapped both the plain and the reinforced responses of this run's teacher. */
  readonly silhouettes: ResponsesSilhouettes | null;
}

export type Verdict = { readonly status: 'judged'; readonly answer: string; readonly because: string } | { readonly status: 'waiting'; readonly reason: string };

const waiting = (reason: string): Verdict => ({ status: 'waiting', reason });
const judged = (answer: string, because: string): Verdict => ({ status: 'judged', answer, because });
const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;
const points = (fraction: number) => `${fraction >= 0 ? '+' : '\u2212'}${Math.abs(fraction * 100).toFixed(1)}`;
/** Logit temperature of KD in the lessons, and of the dark-knowledge questions. */
const KD_TEMPERATURE = 4;
/** Differences below this are "about the same" for silhouettes and teacher weights. */
export const SAME_WITHIN = 0.02;

const byRole = (evidence: RunEvidence, role: ModelResult['learner']['role']) => evidence.results.filter((r) => r.learner.role === role);
const classesOf = (result: ModelResult) => result.testLogits.length / Math.max(1, result.testLabels.length);

/** The teacher's test probabilities at T = 4, with its class count; null without a teacher. */
function softenedTeacher(evidence: RunEvidence): { probs: Float32Array; labels: Uint8Array; numClasses: number } | null {
  const teacher = byRole(evidence, 'teacher')[0];
  if (!teacher || teacher.testLabels.length === 0) return null;
  const numClasses = classesOf(teacher);
  return { probs: softmaxRows(teacher.testLogits, numClasses, KD_TEMPERATURE), labels: teacher.testLabels, numClasses };
}

function catLookAlike(evidence: RunEvidence, question: LessonQuestion): Verdict {
  const teacher = softenedTeacher(evidence);
  const cat = evidence.classNames.indexOf('cat');
  const candidates = question.choices.map((c) => ({ id: c.id, index: evidence.classNames.indexOf(c.id) }));
  if (!teacher || cat < 0 || candidates.some((c) => c.index < 0)) return waiting('This question needs a run on CIFAR-10\u2019s classes, with a teacher.');
  const sums = new Float64Array(candidates.length);
  let cats = 0;
  for (let i = 0; i < teacher.labels.length; i++) {
    if (teacher.labels[i] !== cat) continue;
    cats++;
    candidates.forEach((c, k) => (sums[k]! += teacher.probs[i * teacher.numClasses + c.index]!));
  }
  if (cats === 0) return waiting('The run\u2019s test images hold no cat.');
  const means = [...sums].map((s) => s / cats);
  const best = means.indexOf(Math.max(...means));
  return judged(candidates[best]!.id, `Mean probability on the ${cats} test cats at T = 4: ${candidates.map((c, k) => `${c.id} ${percent(means[k]!)}`).join(', ')}.`);
}

function darkShare(evidence: RunEvidence): Verdict {
  const teacher = softenedTeacher(evidence);
  if (!teacher) return waiting('This question needs a run with a teacher.');
  const n = teacher.labels.length;
  let off = 0;
  for (let i = 0; i < n; i++) off += 1 - teacher.probs[i * teacher.numClasses + argmaxRow(teacher.probs, i, teacher.numClasses)]!;
  const share = off / n;
  const answer = share < 0.2 ? 'under-20' : share <= 0.5 ? '20-50' : 'over-50';
  return judged(answer, `At T = 4, ${percent(share)} of the teacher\u2019s probability lies off its top class, averaged over ${n} test images.`);
}

/** The distilled student and its scratch twin, or why they cannot be compared. */
function twins(evidence: RunEvidence): { student: ModelResult; scratch: ModelResult } | string {
  const [student] = byRole(evidence, 'student');
  const [scratch] = byRole(evidence, 'scratch');
  return student && scratch ? { student, scratch } : 'This question needs a run that trained both the distilled student and its scratch twin.';
}

function verdictOfDifference(comparison: PairedComparison | null, lowerIsBetter: boolean, describe: (c: PairedComparison) => string): Verdict {
  if (!comparison) return waiting('The two students were not scored on the same test images.');
  const { interval, unclear } = comparison;
  const studentAhead = lowerIsBetter ? interval.estimate < 0 : interval.estimate > 0;
  return judged(unclear ? 'unclear' : studentAhead ? 'student' : 'scratch', describe(comparison));
}

function studentVsScratchAccuracy(evidence: RunEvidence): Verdict {
  const pair = twins(evidence);
  if (typeof pair === 'string') return waiting(pair);
  return verdictOfDifference(compareAccuracy(pair.student, pair.scratch, evidence.seed), false, ({ interval, testImages, unclear }) =>
    `Distilled ${percent(pair.student.lastAccuracy)}, scratch ${percent(pair.scratch.lastAccuracy)}: ${points(interval.estimate)} points, 95% interval ${points(interval.lo)} to ${points(interval.hi)} over ${testImages} test images${unclear ? ', which holds 0' : ''}.`,
  );
}

function studentVsScratchEce(evidence: RunEvidence): Verdict {
  const pair = twins(evidence);
  if (typeof pair === 'string') return waiting(pair);
  const f = (x: number) => `${x >= 0 ? '+' : '\u2212'}${Math.abs(x).toFixed(4)}`;
  return verdictOfDifference(compareEce(pair.student, pair.scratch, evidence.seed, 15), true, ({ interval, unclear }) =>
    `ECE (15 bins): distilled ${pair.student.ece.toFixed(4)}, scratch ${pair.scratch.ece.toFixed(4)}; difference ${f(interval.estimate)}, 95% interval ${f(interval.lo)} to ${f(interval.hi)}${unclear ? ', which holds 0' : ''}.`,
  );
}

function scratchConfidence(evidence: RunEvidence): Verdict {
  const [scratch] = byRole(evidence, 'scratch');
  if (!scratch?.heldOutLogits || !scratch.heldOutLabels || scratch.heldOutLabels.length === 0) return waiting('This question needs the lesson\u2019s run, which holds 10% of the training images out.');
  const temperature = fitTemperature(scratch.heldOutLogits, scratch.heldOutLabels, classesOf(scratch));
  return judged(temperature > 1 ? 'overconfident' : 'underconfident', `The temperature fitted on the ${scratch.heldOutLabels.length} held-out images is ${temperature.toFixed(2)}.`);
}

function xstarSilhouette(evidence: RunEvidence): Verdict {
  const s = evidence.silhouettes;
  if (!s) return waiting('Run t-SNE in the t-SNE panel first, with an x* step \u03b3 above 0: the answer is read from its two maps.');
  const difference = s.reinforced - s.plain;
  const answer = Math.abs(difference) < SAME_WITHIN ? 'same' : difference > 0 ? 'reinforced' : 'plain';
  return judged(answer, `Silhouette on x* (\u03b3 = ${s.gamma}): ${s.reinforced.toFixed(3)}; on the plain pictures: ${s.plain.toFixed(3)}.`);
}

/** Each teacher's mean logit weight over the student's last epoch, teacher 1 first. */
function lastEpochWeights(evidence: RunEvidence): number[] | null {
  const last = evidence.epochs.filter((e) => e.learner === 'student').at(-1);
  if (!last) return null;
  const weights: number[] = [];
  for (let m = 1; `logit weight teacher${m}` in last.diagnostics; m++) weights.push(last.diagnostics[`logit weight teacher${m}`]!);
  return weights.length >= 2 ? weights : null;
}

function camkdHeavierTeacher(evidence: RunEvidence): Verdict {
  const weights = lastEpochWeights(evidence);
  if (!weights) return waiting('This question needs a finished CA-MKD run with two teachers.');
  const [w1, w2] = weights as [number, number];
  const answer = Math.abs(w1 - w2) < SAME_WITHIN ? 'equal' : w1 > w2 ? 'teacher1' : 'teacher2';
  return judged(answer, `Last epoch\u2019s mean logit weights: Teacher 1 ${w1.toFixed(3)}, Teacher 2 ${w2.toFixed(3)}.`);
}

function camkdFavoursAccurate(evidence: RunEvidence): Verdict {
  const weights = lastEpochWeights(evidence);
  const teachers = byRole(evidence, 'teacher');
  if (!weights || teachers.length < 2) return waiting('This question needs a finished CA-MKD run with two teachers.');
  const heavier = weights.indexOf(Math.max(...weights));
  const accuracies = teachers.map((t) => t.lastAccuracy);
  const moreAccurate = accuracies.indexOf(Math.max(...accuracies));
  return judged(
    heavier === moreAccurate ? 'yes' : 'no',
    `Weighed more: Teacher ${heavier + 1} (${weights[heavier]!.toFixed(3)}). Test accuracy: ${accuracies.map((a, m) => `Teacher ${m + 1} ${percent(a)}`).join(', ')}.`,
  );
}

const JUDGES: Readonly<Record<JudgeId, (evidence: RunEvidence, question: LessonQuestion) => Verdict>> = {
  'cat-look-alike': catLookAlike,
  'dark-share': darkShare,
  'student-vs-scratch-accuracy': studentVsScratchAccuracy,
  'student-vs-scratch-ece': studentVsScratchEce,
  'scratch-confidence': scratchConfidence,
  'xstar-silhouette': xstarSilhouette,
  'camkd-heavier-teacher': camkdHeavierTeacher,
  'camkd-favours-accurate': camkdFavoursAccurate,
};

/** The question's right answer on this run, or why it cannot be judged yet (no run, another method's run). */
export function judge(question: LessonQuestion, evidence: RunEvidence | null): Verdict {
  if (!evidence || evidence.results.length === 0) return waiting('Make the lesson\u2019s run first: its numbers decide the answer.');
  if (evidence.method !== question.method) return waiting(`The last run used ${evidence.method}; this question is about the lesson\u2019s ${question.method} run. Make it first.`);
  return JUDGES[question.judge](evidence, question);
}
