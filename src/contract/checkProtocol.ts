/**
 * What the check page (check.html) asks of the training worker, and what the worker answers: one
 * comparison at a time as it is made, then a summary. Plain data only.
 */
import type { BackendName } from '../config/runConfig';

/** Which part of the check a comparison belongs to. */
export type CheckSection = 'reference' | 'step' | 'parity';

/** One number (or group of numbers) compared: what it is, what it should be, what the backend gave. */
export interface CheckComparison {
  readonly section: CheckSection;
  /** e.g. `fixtures.json #3 kdLoss`, `camkd: term kd`. */
  readonly what: string;
  readonly expected: string;
  readonly got: string;
  readonly pass: boolean;
  /** Why it failed (the mismatches), or how it was judged. */
  readonly detail: string;
}

/** One parsed fixture file, as the page fetched it (see scripts/setup-reference.mjs). */
export interface FixtureFile {
  readonly file: string;
  readonly data: unknown;
}

/**
 * The PyTorch parity assets (../shared/parity) as the page fetched them: only when the page was opened with
 * `parity=1` (a deployed site ships no assets), and with the reason when the fetch failed.
 */
export type ParityRequest =
  | { readonly state: 'not requested' }
  | { readonly state: 'unavailable'; readonly reason: string }
  /** parity.json, features.safetensors and every checkpoint parity.json names, by file name. */
  | { readonly state: 'fetched'; readonly files: Readonly<Record<string, Uint8Array>> };

export interface CheckRequest {
  readonly fixtures: readonly FixtureFile[];
  readonly parity: ParityRequest;
  /** The backend a method's training step is compared against; the active one is checked. */
  readonly referenceBackend: BackendName;
}

export interface CheckSummary {
  /** The backend that was checked (the worker's active one). */
  readonly backend: BackendName;
  readonly referenceBackend: BackendName;
  readonly passed: number;
  readonly failed: number;
  /** Parts that did not run, and why (e.g. the PyTorch parity assets when the page was not asked to fetch them). */
  readonly skipped: readonly string[];
  readonly seconds: number;
}

/** The check page's request to the training worker (besides `init` from protocol.ts, which picks the backend). */
export interface ToCheck {
  readonly type: 'check';
  readonly requestId: number;
  readonly request: CheckRequest;
}

export type FromCheck =
  | { readonly type: 'checkComparison'; readonly requestId: number; readonly comparison: CheckComparison }
  | { readonly type: 'checkDone'; readonly requestId: number; readonly summary: CheckSummary }
  | { readonly type: 'checkError'; readonly requestId: number; readonly message: string };
