/** Display formatting shared by the panels (pure). */

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '\u2013';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

export function formatPercent(fraction: number, digits = 1): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(digits)}%` : '\u2013';
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function formatCount(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : String(n);
}

/**
 * A run estimate above this many seconds gets a warning before it starts. The default run takes 10 to 11
 * minutes on WebAssembly on a GPU-less 2-core machine and is meant to be run there, so it is not warned about.
 */
export const LONG_RUN_SECONDS = 15 * 60;

/** What the status line adds to a run's estimate: a warning for a long run, else nothing. */
export function longRunWarning(seconds: number): string | null {
  if (!(seconds > LONG_RUN_SECONDS)) return null;
  return `This is a long run (over ${LONG_RUN_SECONDS / 60} minutes): consider fewer epochs, fewer images or a smaller model.`;
}
