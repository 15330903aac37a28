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
