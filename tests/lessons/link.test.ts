import { describe, expect, it } from 'vitest';
import { LESSONS } from '../../src/lessons/catalog';
import { lessonQuery, pacedQuery, parseLessonLink, QUICK_PACE_QUERY, settingsAtStep, withLessonSettings } from '../../src/lessons/link';

const [first, second] = LESSONS as [(typeof LESSONS)[number], (typeof LESSONS)[number]];

describe('a lesson link', () => {
  it('is absent without lesson=', () => {
    expect(parseLessonLink('teacher=resnet20&hide=runs')).toBeNull();
  });

  it('opens the lesson at the step it names, and round-trips', () => {
    const link = parseLessonLink(lessonQuery(second, 1, 'quick', true))!;
    expect(link).toMatchObject({ step: 1, pace: 'quick', instructor: true, stepFromLink: true, notes: [] });
    expect(link.lesson.id).toBe(second.id);
    expect(parseLessonLink(`lesson=${second.id}`)).toMatchObject({ step: 0, pace: 'full', instructor: false, stepFromLink: false });
  });

  it('gives an unknown lesson, a bad step or a bad pace a note and the first step', () => {
    const unknown = parseLessonLink('lesson=<script>&lessonStep=2')!;
    expect(unknown.lesson.id).toBe(first.id);
    expect(unknown.step).toBe(0);
    expect(unknown.notes[0]).toContain('is not a lesson');
    for (const step of ['0', '99', '-1', '1.5', 'two', '']) {
      const link = parseLessonLink(`lesson=${second.id}&lessonStep=${step}`)!;
      expect(link.step, step).toBe(0);
      expect(link.stepFromLink).toBe(false);
      expect(link.notes.join(' ')).toContain('is not a step of this lesson');
    }
    expect(parseLessonLink(`lesson=${second.id}&lessonPace=warp`)!.notes.join(' ')).toContain('is not a pace');
  });
});

describe('a step’s settings', () => {
  it('are those of the nearest step at or before it that sets any', () => {
    expect(settingsAtStep(first, 0, 'full')).toBe(first.steps[0]!.settings!.query);
    expect(settingsAtStep(first, first.steps.length - 1, 'full')).toBe(first.steps[0]!.settings!.query);
  });

  it('take the quick sizes over the lesson’s at the quick pace', () => {
    const quick = new URLSearchParams(pacedQuery('teacher=resnet20&subset=1600&epochs=4&method=kd', 'quick'));
    new URLSearchParams(QUICK_PACE_QUERY).forEach((value, key) => expect(quick.get(key)).toBe(value));
    expect(quick.get('teacher')).toBe('resnet20');
    expect(pacedQuery('subset=1600', 'full')).toBe('subset=1600');
  });
});

describe('a lesson link with settings of its own', () => {
  it('keeps the step’s settings and lays the link’s over them', () => {
    const merged = new URLSearchParams(withLessonSettings('lesson=x&backend=wasm&epochs=2', 'teacher=resnet20&epochs=4&method=kd'));
    expect(Object.fromEntries(merged)).toEqual({ teacher: 'resnet20', epochs: '2', method: 'kd', lesson: 'x', backend: 'wasm' });
  });
});
