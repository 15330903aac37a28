import { readdirSync, readFileSync } from 'node:fs';

/**
 * A process and its descendants read from /proc: what an `adgate serve`
 * instance costs when it is a supervisor (node:cluster primary) with
 * worker processes, `--worker ingress` or `--worker sink` on their
 * command lines, and also when it is one process. The parsers are pure
 * (they take the files' text) so that tests feed them fixtures; the
 * readers take the /proc root, so that a test can point them at a
 * directory shaped like /proc.
 */

/** Which part of the instance a process is: by `--worker <role>` in its command line. */
export type ProcessRole = 'supervisor' | 'ingress' | 'sink' | 'other';

export interface TreeProcess {
  readonly pid: number;
  /** Clock ticks after boot at which it started: with the pid, names one process across pid reuse. */
  readonly startTicks: number;
  readonly role: ProcessRole;
  /** utime + stime so far, in clock ticks. */
  readonly cpuTicks: number;
  readonly rssBytes: number;
  /** VmHWM: this process's own peak resident set. */
  readonly hwmBytes: number;
  /** RssFile: the file-backed part of VmRSS (the node binary, its libraries); 0 when not reported. */
  readonly fileBytes: number;
}

/** The fields of /proc/<pid>/stat the tree needs; undefined for text of another shape. */
export function parseStat(
  text: string,
): { ppid: number; cpuTicks: number; startTicks: number } | undefined {
  // The command name, in parentheses, may hold spaces and parentheses: the fields follow the last ')'.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // fields[0] is the state (field 3 of stat(5)), so field n is fields[n - 3].
  const fields = text
    .slice(close + 2)
    .trim()
    .split(' ');
  const ppid = Number(fields[1]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const startTicks = Number(fields[19]);
  if (![ppid, utime, stime, startTicks].every(Number.isFinite) || fields.length < 20) {
    return undefined;
  }
  return { ppid, cpuTicks: utime + stime, startTicks };
}

/**
 * VmRSS, VmHWM and RssFile from /proc/<pid>/status, in bytes. A zombie
 * (exited, not yet reaped) has no memory lines: that is no reading, not 0
 * bytes. A kernel without RssFile (before 4.5) gives 0 for it.
 */
export function parseStatusMemory(
  text: string,
): { rssBytes: number; hwmBytes: number; fileBytes: number } | undefined {
  const kb = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : undefined;
  };
  const rssBytes = kb('VmRSS');
  const hwmBytes = kb('VmHWM');
  if (rssBytes === undefined || hwmBytes === undefined) return undefined;
  return { rssBytes, hwmBytes, fileBytes: kb('RssFile') ?? 0 };
}

/** The pids in a /proc/<pid>/task/<tid>/children file (space-separated). */
export function parseChildren(text: string): number[] {
  return text
    .trim()
    .split(/\s+/)
    .filter((s) => s !== '')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}

/**
 * The worker role in a /proc/<pid>/cmdline (arguments separated by NUL):
 * the argument after `--worker`, or of `--worker=<role>`. Undefined when
 * there is none; 'other' for a role this reader does not know.
 */
export function workerRoleOf(cmdline: string): Exclude<ProcessRole, 'supervisor'> | undefined {
  const args = cmdline.split('\0');
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    const value =
      arg === '--worker' ? args[i + 1] : arg.startsWith('--worker=') ? arg.slice(9) : undefined;
    if (value === undefined) continue;
    return value === 'ingress' || value === 'sink' ? value : 'other';
  }
  return undefined;
}

/** Reads one process; undefined when it is gone or a zombie. */
export function readTreeProcess(
  pid: number,
  role: ProcessRole,
  procRoot = '/proc',
): (TreeProcess & { ppid: number }) | undefined {
  try {
    const stat = parseStat(readFileSync(`${procRoot}/${pid}/stat`, 'utf8'));
    const memory = parseStatusMemory(readFileSync(`${procRoot}/${pid}/status`, 'utf8'));
    if (stat === undefined || memory === undefined) return undefined;
    return { pid, role, ...stat, ...memory };
  } catch {
    return undefined;
  }
}

/** The children of every thread of a process (a fork may come from any of its threads). */
export function readChildren(pid: number, procRoot = '/proc'): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`${procRoot}/${pid}/task`);
  } catch {
    return [];
  }
  const children = new Set<number>();
  for (const tid of tasks) {
    try {
      const text = readFileSync(`${procRoot}/${pid}/task/${tid}/children`, 'utf8');
      for (const child of parseChildren(text)) children.add(child);
    } catch {
      // The thread ended meanwhile.
    }
  }
  return [...children];
}

function readCmdline(pid: number, procRoot: string): string {
  try {
    return readFileSync(`${procRoot}/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/**
 * The root and all its descendants, read afresh (workers start after the
 * primary, and may be replaced): the root is the supervisor, a descendant
 * takes the role its command line names (or its nearest ancestor's worker
 * role; 'other' when none has one).
 */
export function readProcessTree(rootPid: number, procRoot = '/proc'): TreeProcess[] {
  const root = readTreeProcess(rootPid, 'supervisor', procRoot);
  if (root === undefined) return [];
  const out: TreeProcess[] = [root];
  const queue: { pid: number; inherited: ProcessRole }[] = readChildren(rootPid, procRoot).map(
    (pid) => ({ pid, inherited: 'other' }),
  );
  const seen = new Set([rootPid]);
  while (queue.length > 0) {
    const next = queue.shift() as { pid: number; inherited: ProcessRole };
    if (seen.has(next.pid)) continue;
    seen.add(next.pid);
    const role = workerRoleOf(readCmdline(next.pid, procRoot)) ?? next.inherited;
    const child = readTreeProcess(next.pid, role, procRoot);
    if (child === undefined) continue;
    out.push(child);
    for (const pid of readChildren(next.pid, procRoot)) queue.push({ pid, inherited: role });
  }
  return out;
}

/** One reading of a whole tree: CPU so far (processes that exited included), memory now. */
export interface TreeReading {
  /** CPU seconds of every process of the tree seen so far, those that exited included. */
  readonly cpuSeconds: number;
  readonly cpuSecondsByRole: Readonly<Record<ProcessRole, number>>;
  /** Σ VmRSS of the processes alive now. */
  readonly rssBytes: number;
  /** Σ VmHWM of the processes alive now: each one's own peak, so an upper bound on the tree's. */
  readonly hwmSumBytes: number;
  /**
   * Σ VmRSS with the file-backed pages counted once rather than once per
   * process: Σ (VmRSS − RssFile) + the largest RssFile. The processes are
   * all `node`: the 44 MB of its binary that each one maps are the same
   * pages of the page cache, which Σ VmRSS counts in every process, and
   * which threads of one process, or a container's memory cgroup, count
   * once. An estimate: it takes the other processes' files to be among
   * the largest one's.
   */
  readonly residentBytes: number;
  /** How many processes of each role are alive now. */
  readonly processes: Readonly<Record<ProcessRole, number>>;
}

const noRoles = (): Record<ProcessRole, number> => ({
  supervisor: 0,
  ingress: 0,
  sink: 0,
  other: 0,
});

/**
 * Sums successive readings of a tree. A worker's CPU stays counted after
 * it exits (its last reading is kept, keyed by pid and start time so that
 * a reused pid is another process): the tree's CPU only grows, as one
 * process's utime + stime does.
 */
export class TreeTotals {
  private readonly last = new Map<string, { role: ProcessRole; cpuTicks: number }>();

  constructor(private readonly clockTicks: number) {}

  add(processes: readonly TreeProcess[]): TreeReading {
    const alive = noRoles();
    let rssBytes = 0;
    let hwmSumBytes = 0;
    let fileBytes = 0;
    let largestFileBytes = 0;
    for (const p of processes) {
      this.last.set(`${p.pid}@${p.startTicks}`, { role: p.role, cpuTicks: p.cpuTicks });
      alive[p.role] += 1;
      rssBytes += p.rssBytes;
      hwmSumBytes += p.hwmBytes;
      fileBytes += p.fileBytes;
      largestFileBytes = Math.max(largestFileBytes, p.fileBytes);
    }
    const residentBytes = rssBytes - fileBytes + largestFileBytes;
    const byRole = noRoles();
    for (const { role, cpuTicks } of this.last.values()) byRole[role] += cpuTicks / this.clockTicks;
    const cpuSeconds = Object.values(byRole).reduce((a, b) => a + b, 0);
    return {
      cpuSeconds,
      cpuSecondsByRole: byRole,
      rssBytes,
      hwmSumBytes,
      residentBytes,
      processes: alive,
    };
  }
}
