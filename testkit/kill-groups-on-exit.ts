import type { ChildProcess } from 'node:child_process';

/**
 * Children spawned `detached` lead process groups of their own (so that a
 * SIGKILL of the group takes a gateway's workers too), and so the signal
 * that stops this process never reaches them: Ctrl-C signals the
 * terminal's foreground group only. A benchmark or test interrupted that
 * way left its gateway running, serving and consuming, under the next
 * run's figures, and its scratch databases and topics behind. Every group
 * registered here is killed when this process exits or is stopped by
 * SIGINT, SIGTERM or SIGHUP; on a signal the registered cleanups run next
 * (for at most CLEANUP_MS; a second signal ends the process at once), then
 * the signal is raised again, so the process ends as it would have.
 */
const groups = new Set<number>();
const cleanups = new Set<() => Promise<void>>();
let hooked = false;

const CLEANUP_MS = 30_000;

/** Kills the child's group with this process, unless it has exited by then. */
export function killGroupOnExit(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined) return;
  hook();
  groups.add(pid);
  child.once('exit', () => groups.delete(pid));
}

/** Runs `cleanup` if a signal stops this process; the function returned unregisters it. */
export function cleanUpOnInterrupt(cleanup: () => Promise<void>): () => void {
  hook();
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

function killAll(): void {
  for (const pid of groups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // The group is gone already.
    }
  }
  groups.clear();
}

async function interrupted(signal: NodeJS.Signals): Promise<void> {
  killAll();
  const pending = [...cleanups].map((cleanup) => cleanup().catch(() => undefined));
  cleanups.clear();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(pending),
    new Promise((resolve) => {
      timer = setTimeout(resolve, CLEANUP_MS);
    }),
  ]);
  clearTimeout(timer);
  process.kill(process.pid, signal);
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => void interrupted(signal));
  }
}
