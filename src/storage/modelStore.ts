/**
 * Trained networks kept in the browser (IndexedDB through idb), so a teacher trained once distils students
 * in later sessions. A record is the exported files themselves (model.json + the weights' bytes): the
 * store, the export and the import share one format. The worker writes and reads weights; the page lists
 * and deletes. No tfjs.
 */
import { openDB, type DBSchema } from 'idb';
import { withBrowserDatabase } from './browserDatabase';
import type { ModelId } from '../contract/modelCatalog';
import type { ModelJson, ModelMetadata } from '../contract/modelFile';

/** What the page lists: everything but the weights. */
export interface SavedModelSummary extends ModelMetadata {
  /** The `savedTeacher` URL value. */
  readonly id: string;
  readonly model: ModelId;
  readonly numClasses: number;
  readonly bytes: number;
}

export interface SavedModelRecord extends SavedModelSummary {
  readonly json: ModelJson;
  readonly weights: ArrayBuffer;
}

interface ModelSchema extends DBSchema {
  models: { key: string; value: SavedModelRecord };
}

const DATABASE = 'distillery-models';

function open(name: string) {
  return openDB<ModelSchema>(name, 1, {
    upgrade(db) {
      db.createObjectStore('models', { keyPath: 'id' });
    },
  });
}

function withDatabase<T>(use: (db: Awaited<ReturnType<typeof open>>) => Promise<T>, name = DATABASE): Promise<T> {
  return withBrowserDatabase(() => open(name), 'models cannot be saved', use);
}

/** A short id that is also a valid URL value (`savedTeacher=m-…`). */
export function newModelId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `m-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export function savedModelRecord(id: string, json: ModelJson, weights: ArrayBuffer): SavedModelRecord {
  return { id, model: json.modelTopology.model, numClasses: json.modelTopology.numClasses, bytes: weights.byteLength, ...json.userDefinedMetadata, json, weights };
}

export function saveModel(record: SavedModelRecord, database?: string): Promise<SavedModelSummary> {
  return withDatabase(async (db) => {
    await db.put('models', record);
    return summaryOf(record);
  }, database);
}

export function loadModel(id: string, database?: string): Promise<SavedModelRecord | undefined> {
  return withDatabase((db) => db.get('models', id), database);
}

/** Newest first, without their weights. */
export function listModels(database?: string): Promise<SavedModelSummary[]> {
  return withDatabase(async (db) => (await db.getAll('models')).map(summaryOf).sort((a, b) => b.savedAt - a.savedAt), database);
}

export function deleteModel(id: string, database?: string): Promise<void> {
  return withDatabase((db) => db.delete('models', id), database);
}

function summaryOf({ json: _json, weights: _weights, ...summary }: SavedModelRecord): SavedModelSummary {
  return summary;
}
