/**
 * Guided lessons, as data: short steps that set up a run, start it, point at a panel, or ask a question
 * whose answer is judged from the numbers of the run the learner just made (./judges), never a canned one.
 */
import type { MethodId } from '../contract/methodCatalog';

/** The heading of a panel a step points at (its id on the page, as the section list links to it). */
export type PanelTarget =
  | 'settings'
  | 'run'
  | 'results-title'
  | 'curves-title'
  | 'method-title'
  | 'reliability-title'
  | 'confusion-title'
  | 'dark-knowledge-title'
  | 'tsne-title'
  | 'relevance-title';

/** The judges a question can name (./judges implements each). */
export type JudgeId =
  | 'cat-look-alike'
  | 'dark-share'
  | 'student-vs-scratch-accuracy'
  | 'student-vs-scratch-ece'
  | 'scratch-confidence'
  | 'xstar-silhouette'
  | 'camkd-heavier-teacher'
  | 'camkd-favours-accurate';

export interface LessonChoice {
  readonly id: string;
  readonly label: string;
}

export interface LessonQuestion {
  /** Unique within the lesson: answers are kept under it. */
  readonly id: string;
  readonly prompt: string;
  readonly choices: readonly LessonChoice[];
  readonly judge: JudgeId;
  /** The run it is judged on must have used this method (the lesson's own run, not an older one). */
  readonly method: MethodId;
  /** What the judge compares, for the answer key, before any run exists. */
  readonly rule: string;
}

export interface LessonStep {
  readonly title: string;
  /** Short paragraphs. */
  readonly text: readonly string[];
  /** Settings the step applies, as a link's query over the defaults; `train` then starts the run. */
  readonly settings?: { readonly query: string; readonly train: boolean };
  /** The panel the step scrolls to and highlights. */
  readonly panel?: PanelTarget;
  readonly question?: LessonQuestion;
}

export interface Lesson {
  /** The `lesson=` value. */
  readonly id: string;
  readonly title: string;
  /** One sentence: what the learner will see. */
  readonly summary: string;
  readonly steps: readonly LessonStep[];
}
