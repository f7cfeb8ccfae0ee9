import { describe, expect, it } from 'vitest';
import { LessonSession } from '../../src/app/lessonSession.svelte';
import { LESSONS } from '../../src/lessons/catalog';
import { parseLessonLink } from '../../src/lessons/link';

const lesson = LESSONS.find((l) => l.steps.some((s) => s.question))!;
const question = lesson.steps.find((s) => s.question)!.question!;

function memoryStorage(initial: Record<string, string> = {}): Storage {
  const data = new Map(Object.entries(initial));
  return {
    get length() { return data.size; },
    clear: () => data.clear(),
    getItem: (key) => data.get(key) ?? null,
    key: (i) => [...data.keys()][i] ?? null,
    removeItem: (key) => void data.delete(key),
    setItem: (key, value) => void data.set(key, String(value)),
  };
}

const open = (search: string, storage: Storage | null) => new LessonSession(parseLessonLink(search)!, storage);

describe('a learner’s place in a lesson', () => {
  it('is kept in the browser: a later visit without a step continues there, with the answers', () => {
    const storage = memoryStorage();
    const session = open(`lesson=${lesson.id}`, storage);
    session.go(2);
    session.answer(question.id, { choice: question.choices[0]!.id, correct: true, because: 'numbers' });
    const later = open(`lesson=${lesson.id}`, storage);
    expect(later.step).toBe(2);
    expect(later.answers[question.id]).toEqual({ choice: question.choices[0]!.id, correct: true, because: 'numbers' });
    expect(later.query).toBe(`lesson=${lesson.id}&lessonStep=3`);
  });

  it('follows a link that names a step over the stored place', () => {
    const storage = memoryStorage();
    open(`lesson=${lesson.id}`, storage).go(2);
    expect(open(`lesson=${lesson.id}&lessonStep=1`, storage).step).toBe(0);
  });

  it('drops what it cannot trust in storage: bad JSON, steps out of range, unknown answers', () => {
    const key = `distillery.lesson.${lesson.id}`;
    expect(open(`lesson=${lesson.id}`, memoryStorage({ [key]: '{not json' })).step).toBe(0);
    const odd = open(`lesson=${lesson.id}`, memoryStorage({ [key]: JSON.stringify({ step: 999, answers: { nope: { choice: 'x', correct: true, because: '' }, [question.id]: { choice: 'not-a-choice', correct: true, because: '' } } }) }));
    expect(odd.step).toBe(0);
    expect(odd.answers).toEqual({});
  });

  it('keeps working without storage, and clamps moves to the lesson', () => {
    const session = open(`lesson=${lesson.id}`, null);
    session.go(-5);
    expect(session.isFirst).toBe(true);
    session.go(99);
    expect(session.isLast).toBe(true);
    session.restart();
    expect(session.step).toBe(0);
  });
});
