/**
 * How late a short timer fires is how long the event loop was busy with
 * something else: the wait every HTTP request and Kafka callback shares.
 * Each sample goes to `record` in seconds. Returns the function that stops
 * the watch; the timer never keeps the process alive.
 */
export function watchEventLoopLag(record: (lagSeconds: number) => void, everyMs = 20): () => void {
  let due = performance.now() + everyMs;
  let timer = schedule();
  function schedule(): NodeJS.Timeout {
    const t = setTimeout(tick, everyMs);
    t.unref();
    return t;
  }
  function tick(): void {
    const now = performance.now();
    record(Math.max(0, now - due) / 1000);
    due = now + everyMs;
    timer = schedule();
  }
  return () => clearTimeout(timer);
}
