/** localStorage, or null where the browser refuses it (some private modes throw on access). */
export function storageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
