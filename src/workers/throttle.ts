/** Calls `send` at most once per `intervalMs` with the latest value; `flush` sends a pending one now. */
export function throttle<T>(intervalMs: number, send: (value: T) => void) {
  let last = -Infinity;
  let pending: { value: T } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const flush = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (pending) {
      const { value } = pending;
      pending = null;
      last = performance.now();
      send(value);
    }
  };

  return {
    call(value: T): void {
      pending = { value };
      const wait = last + intervalMs - performance.now();
      if (wait <= 0) flush();
      else timer ??= setTimeout(flush, wait);
    },
    flush,
    cancel(): void {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      pending = null;
    },
  };
}
