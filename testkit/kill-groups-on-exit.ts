import type { ChildProcess } from 'node:child_process';

/**
 * Children spawned `detached` lead process groups of their own (so that a
 * SIGKILL of the group takes a gateway's workers too), and so the signal
 * that stops this process never reaches them: Ctrl-C signals the
 * terminal's foreground group only. A benchmark or test interrupted that
 * way left its gateway running, serving and consuming, under the next
 * run's figures. Every group registered here is killed when this process
 * exits or is stopped by SIGINT, SIGTERM or SIGHUP; the signal is then
 * raised again, so the process ends as it would have.
 */
const groups = new Set<number>();
let hooked = false;

/** Kills the child's group with this process, unless it has exited by then. */
export function killGroupOnExit(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined) return;
  hook();
  groups.add(pid);
  child.once('exit', () => groups.delete(pid));
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

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}
