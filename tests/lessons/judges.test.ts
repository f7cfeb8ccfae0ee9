import { describe, expect, it } from 'vitest';
import { judge, type RunEvidence } from '../../src/lessons/judges';
import { LESSONS } from '../../src/lessons/catalog';
import type { JudgeId, LessonQuestion } from '../../src/lessons/types';
import { camkdEpoch, evidenceOf, resultOf, row, scored } from '../helpers/lessonRuns';

const questions = LESSONS.flatMap((l) => l.steps.flatMap((s) => (s.question ? [s.question] : [])));
const questionFor = (id: JudgeId): LessonQuestion => questions.find((q) => q.judge === id)!;

function answerOf(id: JudgeId, evidence: RunEvidence): string {
  const question = questionFor(id);
  const verdict = judge(question, { ...evidence, method: question.method });
  if (verdict.status !== 'judged') throw new Error(`not judged: ${verdict.reason}`);
  return verdict.answer;
}

/** A teacher whose test images are 20 cats, each with `look` its second-best class. */
const teacherOfCats = (look: number) => resultOf('teacher', 'teacher0', Array.from({ length: 20 }, () => row({ 3: 5, [look]: 3 })), Array(20).fill(3));
/** A teacher whose top logit on every image is `top` (the others 0): larger is more confident. */
const teacherAt = (top: number) => resultOf('teacher', 'teacher0', Array.from({ length: 30 }, (_, i) => row({ [i % 10]: top })), Array.from({ length: 30 }, (_, i) => i % 10));

/** Twins scored on the same 1000 images: the student right on `s` of them, the scratch on `c`. */
function twins(s: number, c: number, scale = 3) {
  const a = scored(1000, s, scale);
  const b = scored(1000, c, scale);
  return [resultOf('student', 'student', a.rows, a.labels), resultOf('scratch', 'scratch', b.rows, b.labels)];
}

describe('lesson judges: each answer is the right one on some run', () => {
  it('cat-look-alike names the class the teacher gives the test cats most probability', () => {
    for (const [name, index] of [['dog', 5], ['deer', 4], ['frog', 6], ['truck', 9]] as const) expect(answerOf('cat-look-alike', evidenceOf([teacherOfCats(index)]))).toBe(name);
  });

  it('dark-share bins the probability off the top class at T = 4', () => {
    expect(answerOf('dark-share', evidenceOf([teacherAt(20)]))).toBe('under-20');
    expect(answerOf('dark-share', evidenceOf([teacherAt(11)]))).toBe('20-50');
    expect(answerOf('dark-share', evidenceOf([teacherAt(4)]))).toBe('over-50');
  });

  it('student-vs-scratch-accuracy follows the paired interval, and "cannot tell" when it holds 0', () => {
    expect(answerOf('student-vs-scratch-accuracy', evidenceOf(twins(700, 500)))).toBe('student');
    expect(answerOf('student-vs-scratch-accuracy', evidenceOf(twins(500, 700)))).toBe('scratch');
    // Equally many right (600 each), on partly different images: no clear difference.
    const a = scored(1000, 600);
    const b = { labels: a.labels, rows: a.labels.map((label, i) => row({ [i >= 100 && i < 700 ? label : (label + 1) % 10]: 3 })) };
    expect(answerOf('student-vs-scratch-accuracy', evidenceOf([resultOf('student', 'student', a.rows, a.labels), resultOf('scratch', 'scratch', b.rows, b.labels)]))).toBe('unclear');
  });

  it('student-vs-scratch-ece: lower ECE wins only when the interval leaves 0 out', () => {
    // Both right on half the images; confident logits (scale 8) are overconfident, mild ones (scale 0.2) not.
    const [calibrated] = twins(500, 500, 0.2);
    const [, overconfident] = twins(500, 500, 8);
    const swapRole = (r: typeof calibrated, role: 'student' | 'scratch') => ({ ...r!, learner: { ...r!.learner, role } });
    expect(answerOf('student-vs-scratch-ece', evidenceOf([swapRole(calibrated, 'student'), swapRole(overconfident, 'scratch')]))).toBe('student');
    expect(answerOf('student-vs-scratch-ece', evidenceOf([swapRole(overconfident, 'student'), swapRole(calibrated, 'scratch')]))).toBe('scratch');
    expect(answerOf('student-vs-scratch-ece', evidenceOf([swapRole(calibrated, 'student'), swapRole(calibrated, 'scratch')]))).toBe('unclear');
  });

  it('scratch-confidence reads the temperature fitted on the held-out images', () => {
    const half = scored(200, 100, 8);
    const all = scored(200, 200, 0.5);
    const scratch = (heldOut: typeof half) => resultOf('scratch', 'scratch', half.rows, half.labels, heldOut);
    expect(answerOf('scratch-confidence', evidenceOf([scratch(half)]))).toBe('overconfident');
    expect(answerOf('scratch-confidence', evidenceOf([scratch(all)]))).toBe('underconfident');
  });

  it('xstar-silhouette compares the two maps, "about the same" within 0.02', () => {
    const withSilhouettes = (plain: number, reinforced: number) => evidenceOf([teacherAt(4)], { silhouettes: { gamma: 0.2, plain, reinforced } });
    expect(answerOf('xstar-silhouette', withSilhouettes(0.1, 0.2))).toBe('reinforced');
    expect(answerOf('xstar-silhouette', withSilhouettes(0.2, 0.1))).toBe('plain');
    expect(answerOf('xstar-silhouette', withSilhouettes(0.2, 0.21))).toBe('same');
  });

  it('camkd-heavier-teacher reads the last epoch’s logit weights', () => {
    const run = (weights: number[]) => evidenceOf([teacherAt(4), teacherAt(4)], { epochs: [camkdEpoch([0.5, 0.5]), camkdEpoch(weights)] });
    expect(answerOf('camkd-heavier-teacher', run([0.7, 0.3]))).toBe('teacher1');
    expect(answerOf('camkd-heavier-teacher', run([0.3, 0.7]))).toBe('teacher2');
    expect(answerOf('camkd-heavier-teacher', run([0.505, 0.495]))).toBe('equal');
  });

  it('camkd-favours-accurate sets the heavier teacher against the more accurate one', () => {
    const strong = scored(100, 90);
    const weak = scored(100, 40);
    const teachers = [resultOf('teacher', 'teacher0', strong.rows, strong.labels), resultOf('teacher', 'teacher1', weak.rows, weak.labels)];
    expect(answerOf('camkd-favours-accurate', evidenceOf(teachers, { epochs: [camkdEpoch([0.7, 0.3])] }))).toBe('yes');
    expect(answerOf('camkd-favours-accurate', evidenceOf(teachers, { epochs: [camkdEpoch([0.3, 0.7])] }))).toBe('no');
  });
});

describe('a question without its run', () => {
  const question = questionFor('student-vs-scratch-accuracy');

  it('waits for a run, and names the method when the last run used another', () => {
    expect(judge(question, null)).toMatchObject({ status: 'waiting' });
    const verdict = judge(question, evidenceOf(twins(700, 500), { method: 'camkd' }));
    expect(verdict).toMatchObject({ status: 'waiting' });
    expect(verdict.status === 'waiting' && verdict.reason).toContain('camkd');
  });

  it('waits when the run lacks what the question reads, instead of guessing', () => {
    expect(judge(questionFor('student-vs-scratch-accuracy'), evidenceOf([teacherAt(4)]))).toMatchObject({ status: 'waiting' });
    expect(judge(questionFor('xstar-silhouette'), evidenceOf([teacherAt(4)], { method: 'oracle' }))).toMatchObject({ status: 'waiting' });
    expect(judge(questionFor('scratch-confidence'), evidenceOf(twins(500, 500)))).toMatchObject({ status: 'waiting' });
    expect(judge(questionFor('camkd-heavier-teacher'), evidenceOf([teacherAt(4)], { method: 'camkd' }))).toMatchObject({ status: 'waiting' });
    expect(judge(questionFor('cat-look-alike'), evidenceOf([teacherAt(4)], { classNames: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'] }))).toMatchObject({ status: 'waiting' });
  });

  it('gives the run’s numbers with the answer', () => {
    const verdict = judge(question, evidenceOf(twins(700, 500)));
    expect(verdict.status === 'judged' && verdict.because).toMatch(/Distilled 70\.0%, scratch 50\.0%: \+20\.0 points, 95% interval \+\d+\.\d to \+\d+\.\d over 1000 test images/);
  });
});
