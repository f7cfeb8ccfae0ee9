/**
 * Opens one of the app's IndexedDB databases (through idb) for one piece of work and closes it after, so no
 * connection outlives its use (an open connection blocks a later version upgrade). No tfjs: the page and the
 * worker both use it.
 */
import type { IDBPDatabase } from 'idb';

export async function withBrowserDatabase<Schema, T>(open: () => Promise<IDBPDatabase<Schema>>, keeps: string, use: (db: IDBPDatabase<Schema>) => Promise<T>): Promise<T> {
  if (typeof indexedDB === 'undefined') throw new Error(`This browser keeps no local storage (IndexedDB is unavailable), so ${keeps}.`);
  const db = await open();
  try {
    return await use(db);
  } finally {
    db.close();
  }
}
