/**
 * The V8 settings a worker process starts with, which the supervisor gives
 * it. V8 grows a young generation up to 16 MB per semi-space (32 MB in all,
 * resident once a few scavenges have cycled through it) whenever much of
 * what it allocates survives, as a worker's start and each flush do; an
 * instance of worker processes runs as many heaps, each grown as if it had
 * the machine to itself. At 8 MB per semi-space the instance's peak RSS in
 * `npm run bench` was about 30 MB lower for the same msg/s and CPU per
 * message; at 4 MB it was 60 MB lower but took 10% more CPU per message,
 * the per-event objects that live through a flush being copied more often
 * before they are promoted (loadtest/README.md, issue 15).
 */
export const WORKER_V8_FLAGS: Readonly<Record<string, number>> = {
  '--max-semi-space-size': 8,
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
