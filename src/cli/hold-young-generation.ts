import v8 from 'node:v8';

/** V8's own --semi-space-growth-factor. */
const V8_GROWTH_FACTOR = 2;

/**
 * Imported first by main.ts, for its side effect: the young generation
 * stays at its initial size (1 MB per semi-space) while the modules load.
 * V8 doubles it, up to 16 MB per semi-space, whenever much of what a
 * scavenge finds survives, as it does while modules load, and the space
 * then stays resident for the process's life: about 8 MB of the RSS of a
 * supervisor of worker processes, which only relays messages and merges
 * /metrics once started. Every other process gives V8 its growth back
 * (releaseYoungGeneration) as soon as it knows what it is: a worker's
 * young generation allocates at the pipeline's rate (its cap comes from
 * the supervisor, workers/worker-exec-argv.ts; at 1 MB it would cost CPU
 * per message, loadtest/README.md, issue 15).
 * --max-semi-space-size would be the flag, but V8 reads it only when the
 * heap is set up; the growth factor it reads at each growth. A
 * `--max-semi-space-size` on the command line or in NODE_OPTIONS wins.
 */
const held = !isSemiSpaceGiven();
if (held) v8.setFlagsFromString('--semi-space-growth-factor=1');

function isSemiSpaceGiven(): boolean {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return given.some((arg) => arg.startsWith('--max-semi-space-size'));
}

/** V8's growth of the young generation again, for a process that allocates at a rate. */
export function releaseYoungGeneration(): void {
  if (held) v8.setFlagsFromString(`--semi-space-growth-factor=${V8_GROWTH_FACTOR}`);
}
