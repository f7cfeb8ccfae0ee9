/**
 * Why the browser would not keep something, in words a person can act on. Shared by the worker (archives,
 * checkpoints) and the page (runs, models): both report what was not kept with this reason.
 */
export function describeStorageError(error: unknown): string {
  const name = typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string' ? (error as { name: string }).name : '';
  const message = error instanceof Error ? error.message : typeof error === 'object' && error !== null && 'message' in error ? String((error as { message: unknown }).message) : String(error);
  if (name === 'QuotaExceededError' || /quota/i.test(message)) {
    return `the browser's storage for this site is full (${name || 'quota exceeded'}); free space by deleting saved runs, models or imported datasets, or allow the site more storage`;
  }
  if (name === 'InvalidStateError' || name === 'SecurityError' || /indexedDB is (not defined|not available|unavailable)/i.test(message)) {
    return `this browser does not let the page store data here, as in a private window (${name || message})`;
  }
  return message || name || 'unknown storage error';
}
