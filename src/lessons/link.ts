/**
 * A lesson in the address (pure): `lesson=<id>`, `lessonStep=<n>` (1-based), `lessonPace=quick` for a
 * shortened run, `instructor=1` for the instructor's view (settings locked, answer key shown). Anything else
 * in these keys is untrusted: an unknown lesson or an out-of-range step gets a note and the first step.
 */
import { LESSONS, lessonById } from './catalog';
import type { Lesson } from './types';

/** `full`: the lesson's runs as written (about three minutes each on a two-core CPU); `quick`: a few seconds. */
export type LessonPace = 'full' | 'quick';

/** What `quick` changes in every run: few images, one epoch. The numbers get noisier, the lesson stays the same. */
export const QUICK_PACE_QUERY = 'subset=128&testSubset=200&epochs=1';

/** The address keys a lesson owns; everything else in the address is the run's settings or the view's. */
export const LESSON_KEYS = ['lesson', 'lessonStep', 'lessonPace', 'instructor'] as const;

export interface LessonLink {
  readonly lesson: Lesson;
  /** 0-based. */
  readonly step: number;
  readonly pace: LessonPace;
  readonly instructor: boolean;
  /** Set when the link asked for one, so a stored place does not override it. */
  readonly stepFromLink: boolean;
  readonly notes: readonly string[];
}

/** The lesson the address opens, or null when it names none. */
export function parseLessonLink(search: string | URLSearchParams): LessonLink | null {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  const id = params.get('lesson');
  if (id === null) return null;
  const notes: string[] = [];
  let lesson = lessonById(id.trim());
  if (!lesson) {
    lesson = LESSONS[0]!;
    notes.push(`lesson=${id.slice(0, 40)} is not a lesson (${LESSONS.map((l) => l.id).join(', ')}); opened \u201c${lesson.title}\u201d instead.`);
  }
  // Another lesson's step number means nothing here: an unknown lesson opens the first one at its first step.
  const rawStep = notes.length === 0 ? params.get('lessonStep') : null;
  let step = 0;
  if (rawStep !== null) {
    const n = /^\d{1,4}$/.test(rawStep.trim()) ? Number(rawStep) : Number.NaN;
    if (n >= 1 && n <= lesson.steps.length) step = n - 1;
    else notes.push(`lessonStep=${rawStep.slice(0, 12)} is not a step of this lesson (1 to ${lesson.steps.length}); opened step 1.`);
  }
  const rawPace = params.get('lessonPace');
  const pace: LessonPace = rawPace === 'quick' ? 'quick' : 'full';
  if (rawPace !== null && rawPace !== 'quick' && rawPace !== 'full') notes.push(`lessonPace=${rawPace.slice(0, 12)} is not a pace (full, quick); using full.`);
  const instructor = params.get('instructor') === '1';
  return { lesson, step, pace, instructor, stepFromLink: rawStep !== null && notes.length === 0, notes };
}

/** The address's lesson keys for a place in a lesson. */
export function lessonQuery(lesson: Lesson, step: number, pace: LessonPace, instructor: boolean): string {
  const params = new URLSearchParams({ lesson: lesson.id, lessonStep: String(step + 1) });
  if (pace === 'quick') params.set('lessonPace', 'quick');
  if (instructor) params.set('instructor', '1');
  return params.toString();
}

/** A step's run settings at a pace: the step's query with the quick sizes over it. */
export function pacedQuery(query: string, pace: LessonPace): string {
  if (pace === 'full') return query;
  const params = new URLSearchParams(query);
  new URLSearchParams(QUICK_PACE_QUERY).forEach((value, key) => params.set(key, value));
  return params.toString();
}

/**
 * The settings in force at a step: those of the nearest step at or before it that sets any, so opening a
 * lesson at step 3 sets up the run step 1 would have. Null when no step up to it sets anything.
 */
export function settingsAtStep(lesson: Lesson, step: number, pace: LessonPace): string | null {
  for (let i = Math.min(step, lesson.steps.length - 1); i >= 0; i--) {
    const settings = lesson.steps[i]!.settings;
    if (settings) return pacedQuery(settings.query, pace);
  }
  return null;
}

/**
 * A lesson link's settings: the step's, with whatever the link itself sets over them (a backend, a seed, or
 * every field after a reload, since the address keeps the form's settings), and its other keys kept.
 */
export function withLessonSettings(search: string, stepSettings: string | null): string {
  const merged = new URLSearchParams(stepSettings ?? '');
  new URLSearchParams(search).forEach((value, key) => merged.set(key, value));
  return merged.toString();
}
