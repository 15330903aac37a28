import v8 from 'node:v8';

/**
 * Caps how far V8 lets the heap grow past its live size before the next
 * full collection. Under full load the gateway's live heap is about 50 MB,
 * but most per-event objects live through a flush (a few hundred ms), are
 * promoted, then die in old space; while collection looks cheap V8 grows
 * the old space up to 4× past the live size, which put peak RSS at
 * 310–350 MB in `npm run bench`. At 2× the peak is about 240 MB for the same
 * throughput. A `--heap-growing-percent` given on the command line wins
 * (NODE_OPTIONS does not accept it).
 */
export function limitHeapGrowth(percent = 100): void {
  if (process.execArgv.some((arg) => arg.startsWith('--heap-growing-percent'))) return;
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/**
 * Keeps the young generation at its initial size (1 MB per semi-space) for
 * a process that allocates little once started: the supervisor of worker
 * processes. V8 doubles it, up to 16 MB per semi-space, whenever much of
 * what a scavenge finds survives, as loading modules does at start; the
 * space then stays resident for the process's life (about 8 MB of its RSS)
 * although the supervisor only relays messages and merges /metrics.
 * --max-semi-space-size would be the flag, but V8 reads it only when the
 * heap is set up; the growth factor it reads at each growth. A
 * `--max-semi-space-size` on the command line or in NODE_OPTIONS wins.
 */
export function keepYoungGenerationSmall(): void {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (given.some((arg) => arg.startsWith('--max-semi-space-size'))) return;
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}
