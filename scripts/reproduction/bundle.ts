/**
 * A finished run as the page's run bundle (`.distillery-run.json`, what the Runs panel's Import reads): the
 * record the page saves when a run ends (savedRunFrom) written by the page's exporter (runBundleJson).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { RunConfig } from '../../src/config/runConfig';
import type { EpochMetrics, ModelResult, RunPlanSummary } from '../../src/contract/protocol';
import { runBundleJson } from '../../src/storage/page/runBundle';
import { savedRunFrom } from '../../src/storage/page/runStore';

export interface FinishedRun {
  readonly config: RunConfig;
  readonly learners: RunPlanSummary['learners'];
  readonly epochs: readonly EpochMetrics[];
  readonly results: readonly ModelResult[];
  /** Wall seconds over every session that trained it. */
  readonly seconds: number;
  readonly backend: string;
  /** What ran it, in place of the page's GPU adapter: "Node v22.1.0, npm run reproduce". */
  readonly runner: string;
  readonly id: string;
  /** Epoch milliseconds. */
  readonly finishedAt: number;
}

export function writeRunBundle(file: string, run: FinishedRun): void {
  const saved = savedRunFrom({
    config: run.config,
    learners: run.learners,
    epochs: run.epochs,
    results: run.results,
    seconds: run.seconds,
    backend: run.backend,
    adapter: run.runner,
    stopped: false,
    now: run.finishedAt,
    id: run.id,
  });
  const partial = `${file}.partial`;
  writeFileSync(partial, runBundleJson(saved, run.finishedAt));
  renameSync(partial, file);
}

/** The config and wall seconds of a bundle written here, or undefined when there is no bundle. */
export function readBundleSummary(file: string): { config: Readonly<Record<string, unknown>>; seconds: number } | undefined {
  if (!existsSync(file)) return undefined;
  const bundle = JSON.parse(readFileSync(file, 'utf8')) as { run?: { config?: Record<string, unknown>; seconds?: number } };
  return { config: bundle.run?.config ?? {}, seconds: bundle.run?.seconds ?? Number.NaN };
}

export class OtherSettingsError extends Error {
  override readonly name = 'OtherSettingsError';
}

function settingDifference(planned: RunConfig, found: Readonly<Record<string, unknown>>): string | null {
  for (const [key, value] of Object.entries(planned)) {
    if (JSON.stringify(found[key]) !== JSON.stringify(value)) return `${key} ${JSON.stringify(found[key])} there, ${JSON.stringify(value)} asked for`;
  }
  return null;
}

/** A bundle or checkpoint made with other settings than the run planned is refused, never mixed in. */
export function refuseOtherSettings(file: string, planned: RunConfig, found: Readonly<Record<string, unknown>>): void {
  const difference = settingDifference(planned, found);
  if (difference) throw new OtherSettingsError(`${file} was made with other settings (${difference}): pass the flags it was made with, another --out, or move it away.`);
}
