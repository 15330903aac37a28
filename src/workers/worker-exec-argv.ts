/**
 * The V8 heap settings of a worker process, which the supervisor starts it
 * with. Each is about memory: an instance of worker processes runs as
 * many heaps, and each grows as if it had the machine to itself. Measured
 * in `npm run bench` (loadtest/README.md, issue 15), for the same msg/s:
 *
 * - `--max-semi-space-size` (MB): V8 grows the young generation up to 16 MB
 *   per semi-space (32 MB in all, resident once a few scavenges have cycled
 *   through it) whenever much of what it allocates survives, as a worker's
 *   start and each flush do. The pipeline's per-event objects live through
 *   a flush (a few hundred ms) whatever the size, so a larger young
 *   generation only copies them more often before they are promoted.
 * - `--heap-growing-percent`: how far the old generation may grow past
 *   its live size before the next full collection; limit-heap-growth.ts
 *   gives a process 100 (2×). A worker holds a part of the pipeline, not
 *   all of it, so its full collections are short; at 50 (1.5×) each is
 *   about 25 MB lower at its peak.
 */
export const WORKER_V8_FLAGS: Readonly<Record<string, number>> = {
  '--max-semi-space-size': 4,
  '--heap-growing-percent': 50,
};

/**
 * The Node options a worker process starts with: the supervisor's own, plus
 * each of WORKER_V8_FLAGS the operator did not set (on the supervisor's
 * command line or in NODE_OPTIONS, which the worker inherits: theirs wins).
 */
export function workerExecArgv(own: readonly string[], nodeOptions: string | undefined): string[] {
  const given = [...own, ...(nodeOptions ?? '').split(/\s+/)];
  const isSet = (flag: string) => given.some((arg) => arg === flag || arg.startsWith(`${flag}=`));
  const added = Object.entries(WORKER_V8_FLAGS)
    .filter(([flag]) => !isSet(flag))
    .map(([flag, value]) => `${flag}=${value}`);
  return [...own, ...added];
}
