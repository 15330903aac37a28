import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { type ProcessRole, readProcessTree, TreeTotals } from '../../testkit/process-tree.js';

export interface ProcessSample {
  /** Epoch milliseconds. */
  readonly t: number;
  /** Σ VmRSS of the gateway's processes alive at the sample. */
  readonly rssBytes: number;
  /** The same with their file-backed pages counted once (TreeReading.residentBytes). */
  readonly residentBytes: number;
  /** utime + stime of the whole tree so far (workers that exited included), in seconds. */
  readonly cpuSeconds: number;
  readonly cpuSecondsByRole: Readonly<Record<ProcessRole, number>>;
  /** Processes of each role alive at the sample. */
  readonly processes: Readonly<Record<ProcessRole, number>>;
  /** Busy share of the whole machine since the previous sample (0..1), all CPUs. */
  readonly machineBusy: number;
}

export interface ProcessReading {
  readonly rssBytes: number;
  /** The highest Σ VmRSS of the tree in any sample. */
  readonly peakRssBytes: number;
  /** The highest Σ VmRSS with file-backed pages counted once (TreeReading.residentBytes). */
  readonly peakResidentBytes: number;
  /** The highest Σ VmHWM seen: each process's own peak, so exact for one process, an upper bound for several. */
  readonly hwmSumBytes: number;
  readonly cpuSeconds: number;
  /** Most processes of each role seen alive at once. */
  readonly maxProcesses: Readonly<Record<ProcessRole, number>>;
}

export const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** The whole machine's CPU ticks so far (all CPUs): busy and total, from /proc/stat. */
export function readMachineTicks(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((a, b) => a + b, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/**
 * Samples the gateway's memory and CPU over its whole process tree (the
 * primary and every descendant, re-read each time since workers start
 * after the primary: testkit/process-tree.ts), and the machine's busy
 * share, every `everyMs`.
 */
export class ProcessSampler {
  readonly samples: ProcessSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastTicks = readMachineTicks();
  private readonly totals = new TreeTotals(CLOCK_TICKS);
  private last: ProcessReading | undefined;

  constructor(
    private readonly pid: number,
    private readonly everyMs: number,
  ) {}

  /** The last reading, kept after the processes exit. */
  get lastReading(): ProcessReading | undefined {
    return this.last;
  }

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  sample(): void {
    const tree = readProcessTree(this.pid);
    const ticks = readMachineTicks();
    const total = ticks.total - this.lastTicks.total;
    const machineBusy = total > 0 ? (ticks.busy - this.lastTicks.busy) / total : 0;
    this.lastTicks = ticks;
    if (tree.length === 0) return;
    const reading = this.totals.add(tree);
    const before = this.last;
    const maxProcesses = { ...reading.processes };
    for (const role of Object.keys(maxProcesses) as ProcessRole[]) {
      maxProcesses[role] = Math.max(maxProcesses[role], before?.maxProcesses[role] ?? 0);
    }
    this.last = {
      rssBytes: reading.rssBytes,
      peakRssBytes: Math.max(reading.rssBytes, before?.peakRssBytes ?? 0),
      peakResidentBytes: Math.max(reading.residentBytes, before?.peakResidentBytes ?? 0),
      hwmSumBytes: Math.max(reading.hwmSumBytes, before?.hwmSumBytes ?? 0),
      cpuSeconds: reading.cpuSeconds,
      maxProcesses,
    };
    this.samples.push({
      t: Date.now(),
      rssBytes: reading.rssBytes,
      residentBytes: reading.residentBytes,
      cpuSeconds: reading.cpuSeconds,
      cpuSecondsByRole: reading.cpuSecondsByRole,
      processes: reading.processes,
      machineBusy,
    });
  }

  /**
   * CPU seconds the tree (or one role of it) used between two instants,
   * interpolated linearly between the samples around each instant.
   */
  cpuSecondsBetween(fromMs: number, toMs: number, role?: ProcessRole): number {
    const cpu = (s: ProcessSample) =>
      role === undefined ? s.cpuSeconds : s.cpuSecondsByRole[role];
    const a = interpolate(this.samples, fromMs, cpu);
    const b = interpolate(this.samples, toMs, cpu);
    return a === undefined || b === undefined ? 0 : b - a;
  }

  /** Mean busy share of the machine between two instants. */
  machineBusyBetween(fromMs: number, toMs: number): number {
    const window = this.samples.filter((s) => s.t > fromMs && s.t <= toMs);
    if (window.length === 0) return 0;
    return window.reduce((sum, s) => sum + s.machineBusy, 0) / window.length;
  }
}

/** A cumulative value at `t`, linear between the samples around it (clamped to the first and last). */
function interpolate<T extends { readonly t: number }>(
  samples: readonly T[],
  t: number,
  value: (s: T) => number,
): number | undefined {
  const first = samples[0];
  if (first === undefined) return undefined;
  if (t <= first.t) return value(first);
  for (let i = 1; i < samples.length; i += 1) {
    const b = samples[i] as T;
    if (b.t < t) continue;
    const a = samples[i - 1] as T;
    const share = b.t > a.t ? (t - a.t) / (b.t - a.t) : 1;
    return value(a) + (value(b) - value(a)) * share;
  }
  return value(samples.at(-1) as T);
}

/** The last sample taken at or before `t` (the first one when none was). */
function sampleAt<T extends { readonly t: number }>(
  samples: readonly T[],
  t: number,
): T | undefined {
  let best: T | undefined;
  for (const s of samples) if (s.t <= t) best = s;
  return best ?? samples[0];
}

/** The servers the benchmark shares the machine with, by /proc/<pid>/comm. */
export const SERVICES = { postgres: 'postgres', redis: 'redis-server', kafka: 'java' } as const;
export type Service = keyof typeof SERVICES;

interface ServiceSample {
  readonly t: number;
  /** CPU seconds each service used since the sampler started. */
  readonly cpuSeconds: Readonly<Record<Service, number>>;
}

/**
 * CPU of PostgreSQL, Redis and Kafka (every process of each, by command
 * name: one PostgreSQL backend per connection), so that the cost of an
 * event can be split across the whole machine. A process that starts
 * after the sampler counts from zero; one that lives less than a sample
 * interval is missed (the gateway's connections live for the run). On a
 * shared machine other users' processes of the same name count too.
 */
export class ServiceSampler {
  readonly samples: ServiceSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Per pid: its service, its CPU seconds when first seen (0 if it started later), its latest. */
  private readonly pids = new Map<number, { service: Service; base: number; last: number }>();
  /** Pids of other programs, so that their names are read once. */
  private readonly others = new Set<number>();
  private started = false;

  constructor(private readonly everyMs: number) {}

  start(): void {
    this.sample();
    this.started = true;
    this.timer = setInterval(() => this.sample(), this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  /** Mean cores each service used between two instants. */
  coresBetween(fromMs: number, toMs: number): Record<Service, number> {
    const a = sampleAt(this.samples, fromMs);
    const b = sampleAt(this.samples, toMs);
    const seconds = Math.max(0.001, ((b?.t ?? 0) - (a?.t ?? 0)) / 1000);
    const cores = { postgres: 0, redis: 0, kafka: 0 };
    if (a === undefined || b === undefined) return cores;
    for (const service of Object.keys(cores) as Service[]) {
      cores[service] = (b.cpuSeconds[service] - a.cpuSeconds[service]) / seconds;
    }
    return cores;
  }

  private sample(): void {
    let entries: string[];
    try {
      entries = readdirSync('/proc');
    } catch {
      return;
    }
    const byComm = new Map<string, Service>(
      Object.entries(SERVICES).map(([service, comm]) => [comm, service as Service]),
    );
    for (const entry of entries) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || this.others.has(pid)) continue;
      let known = this.pids.get(pid);
      if (known === undefined) {
        let comm: string;
        try {
          comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        } catch {
          continue;
        }
        const service = byComm.get(comm);
        if (service === undefined) {
          this.others.add(pid);
          continue;
        }
        const cpu = readCpuSeconds(pid);
        if (cpu === undefined) continue;
        known = { service, base: this.started ? 0 : cpu, last: cpu };
        this.pids.set(pid, known);
        continue;
      }
      const cpu = readCpuSeconds(pid);
      if (cpu !== undefined) known.last = cpu;
    }
    const cpuSeconds = { postgres: 0, redis: 0, kafka: 0 };
    for (const { service, base, last } of this.pids.values()) cpuSeconds[service] += last - base;
    this.samples.push({ t: Date.now(), cpuSeconds });
  }
}

/** utime + stime of a process so far, in seconds, from /proc/<pid>/stat. */
function readCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may contain spaces, in parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
