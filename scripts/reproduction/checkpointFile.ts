/**
 * The page's RunCheckpoint (src/storage/checkpointStore.ts: what the worker saves to IndexedDB after each
 * epoch) as one file per run in progress: "DKCP", a little-endian uint32 header length, the JSON header (the
 * checkpoint without its weights, plus the wall seconds the run had taken before), then the weights' bytes.
 * Written to a temporary name and renamed, so a kill while writing leaves the previous checkpoint whole.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { withScheduleDefaults } from '../../src/config/runConfig';
import type { RunCheckpoint } from '../../src/storage/checkpointStore';

const MAGIC = 'DKCP';
const FORMAT = 'distillery-reproduction-checkpoint';
const VERSION = 1;

export interface StoredCheckpoint {
  readonly checkpoint: RunCheckpoint;
  /** Wall seconds the run took up to this checkpoint, over every session that trained it. */
  readonly wallSeconds: number;
}

export class CheckpointFileError extends Error {
  override readonly name = 'CheckpointFileError';
}

export function writeCheckpointFile(file: string, { checkpoint, wallSeconds }: StoredCheckpoint): void {
  const { weights, ...rest } = checkpoint;
  const header = new TextEncoder().encode(JSON.stringify({ format: FORMAT, version: VERSION, wallSeconds, checkpoint: rest }));
  const bytes = new Uint8Array(8 + header.length + weights.byteLength);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(bytes.buffer).setUint32(4, header.length, true);
  bytes.set(header, 8);
  bytes.set(new Uint8Array(weights), 8 + header.length);
  const partial = `${file}.partial`;
  writeFileSync(partial, bytes);
  renameSync(partial, file);
}

/** The checkpoint in `file`, or undefined when there is none; a damaged file is refused with what to do. */
export function readCheckpointFile(file: string): StoredCheckpoint | undefined {
  if (!existsSync(file)) return undefined;
  const bytes = new Uint8Array(readFileSync(file));
  const damaged = (why: string) => new CheckpointFileError(`The checkpoint ${file} is damaged (${why}): delete it to start that run again.`);
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) throw damaged('not a reproduction checkpoint');
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
  if (8 + headerLength > bytes.length) throw damaged('cut short');
  let header: { format?: unknown; version?: unknown; wallSeconds?: unknown; checkpoint?: Omit<RunCheckpoint, 'weights'> };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as typeof header;
  } catch {
    throw damaged('its header is not JSON');
  }
  if (header.format !== FORMAT || header.version !== VERSION || !header.checkpoint || typeof header.wallSeconds !== 'number') throw damaged(`not ${FORMAT} version ${VERSION}`);
  const weights = bytes.slice(8 + headerLength).buffer;
  const expected = header.checkpoint.specs.reduce((sum, s) => sum + 4 * s.shape.reduce((a, b) => a * b, 1), 0);
  if (weights.byteLength !== expected) throw damaged(`${weights.byteLength} weight bytes where its tensors need ${expected}`);
  const checkpoint: RunCheckpoint = { ...header.checkpoint, config: withScheduleDefaults(header.checkpoint.config), weights };
  return { checkpoint, wallSeconds: header.wallSeconds };
}

export function deleteCheckpointFile(file: string): void {
  rmSync(file, { force: true });
}
