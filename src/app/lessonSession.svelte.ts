/**
 * The learner's place in a lesson and their checked answers, kept in this browser (localStorage) so a reload
 * or a later visit continues where they were. What is read back is untrusted: anything malformed is dropped.
 */
import { lessonQuery, settingsAtStep, type LessonLink, type LessonPace } from '../lessons/link';
import type { Lesson, LessonStep } from '../lessons/types';

/** A checked answer, with the run's numbers that judged it. */
export interface LessonAnswer {
  readonly choice: string;
  readonly correct: boolean;
  readonly because: string;
}

const KEY_PREFIX = 'distillery.lesson.';

export class LessonSession {
  readonly lesson: Lesson;
  readonly pace: LessonPace;
  readonly instructor: boolean;
  readonly notes: readonly string[];
  step = $state(0);
  answers = $state.raw<Readonly<Record<string, LessonAnswer>>>({});

  constructor(
    link: LessonLink,
    private readonly storage: Storage | null,
  ) {
    this.lesson = link.lesson;
    this.pace = link.pace;
    this.instructor = link.instructor;
    this.notes = link.notes;
    const stored = this.#read();
    this.answers = stored.answers;
    // A link naming a step wins; a link without one continues where this browser left the lesson.
    this.step = link.stepFromLink || stored.step === null ? link.step : stored.step;
  }

  get current(): LessonStep {
    return this.lesson.steps[this.step]!;
  }

  get isFirst(): boolean {
    return this.step === 0;
  }

  get isLast(): boolean {
    return this.step === this.lesson.steps.length - 1;
  }

  /** The lesson keys of the address for the current place. */
  get query(): string {
    return lessonQuery(this.lesson, this.step, this.pace, this.instructor);
  }

  /** The link to this lesson for a class (no answer key) or for its instructor. */
  linkFor(instructor: boolean): string {
    return `?${lessonQuery(this.lesson, 0, this.pace, instructor)}`;
  }

  /** The run settings in force at the current step, at this pace. */
  get settings(): string | null {
    return settingsAtStep(this.lesson, this.step, this.pace);
  }

  go(step: number): void {
    this.step = Math.max(0, Math.min(this.lesson.steps.length - 1, step));
    this.#write();
  }

  answer(questionId: string, answer: LessonAnswer): void {
    this.answers = { ...this.answers, [questionId]: answer };
    this.#write();
  }

  restart(): void {
    this.answers = {};
    this.go(0);
  }

  #read(): { step: number | null; answers: Record<string, LessonAnswer> } {
    const none = { step: null, answers: {} };
    try {
      const raw: unknown = JSON.parse(this.storage?.getItem(KEY_PREFIX + this.lesson.id) ?? 'null');
      if (typeof raw !== 'object' || raw === null) return none;
      const { step, answers } = raw as { step?: unknown; answers?: unknown };
      const questions = new Map(this.lesson.steps.flatMap((s) => (s.question ? [[s.question.id, s.question] as const] : [])));
      const kept = Object.entries(typeof answers === 'object' && answers !== null ? answers : {}).filter(([id, a]) => {
        const choice = (a as Partial<LessonAnswer>)?.choice;
        return questions.get(id)?.choices.some((c) => c.id === choice) && typeof (a as LessonAnswer).correct === 'boolean' && typeof (a as LessonAnswer).because === 'string';
      });
      const validStep = typeof step === 'number' && Number.isInteger(step) && step >= 0 && step < this.lesson.steps.length;
      return { step: validStep ? step : null, answers: Object.fromEntries(kept) as Record<string, LessonAnswer> };
    } catch {
      return none; // unreadable storage or JSON: start afresh
    }
  }

  #write(): void {
    try {
      this.storage?.setItem(KEY_PREFIX + this.lesson.id, JSON.stringify({ step: this.step, answers: this.answers }));
    } catch {
      // Storage full or refused: the lesson still works for this visit.
    }
  }
}
