import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ProcessSample {
  /** Epoch milliseconds. */
  readonly t: number;
  readonly rssBytes: number;
  /** utime + stime of the process so far, in seconds. */
  readonly cpuSeconds: number;
  /** Busy share of the whole machine since the previous sample (0..1), all CPUs. */
  readonly machineBusy: number;
}

export interface ProcessReading {
  readonly rssBytes: number;
  /** VmHWM: the peak resident set size since the process started. */
  readonly peakRssBytes: number;
  readonly cpuSeconds: number;
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Reads /proc/<pid>/status (VmRSS, VmHWM) and /proc/<pid>/stat (utime + stime). */
export function readProcess(pid: number): ProcessReading | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    // A process that has exited but is not yet reaped (a zombie) has no
    // memory lines: that is no reading, not a reading of 0 bytes.
    if (!/^VmHWM:/m.test(status)) return undefined;
    const kb = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may contain spaces, in parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return {
      rssBytes: kb('VmRSS'),
      peakRssBytes: kb('VmHWM'),
      cpuSeconds: (utime + stime) / CLOCK_TICKS,
    };
  } catch {
    return undefined;
  }
}

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

/** Samples a process's memory and CPU, and the machine's busy share, every `everyMs`. */
export class ProcessSampler {
  readonly samples: ProcessSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastTicks = readMachineTicks();
  private last: ProcessReading | undefined;

  constructor(
    private readonly pid: number,
    private readonly everyMs: number,
  ) {}

  /** The last reading, kept after the process exits (its VmHWM is the peak). */
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
    const reading = readProcess(this.pid);
    const ticks = readMachineTicks();
    const total = ticks.total - this.lastTicks.total;
    const machineBusy = total > 0 ? (ticks.busy - this.lastTicks.busy) / total : 0;
    this.lastTicks = ticks;
    if (reading === undefined) return;
    this.last = reading;
    this.samples.push({
      t: Date.now(),
      rssBytes: reading.rssBytes,
      cpuSeconds: reading.cpuSeconds,
      machineBusy,
    });
  }

  /** CPU seconds the process used between two instants, from the samples. */
  cpuSecondsBetween(fromMs: number, toMs: number): number {
    const at = (t: number) => {
      let best: ProcessSample | undefined;
      for (const s of this.samples) if (s.t <= t) best = s;
      return best ?? this.samples[0];
    };
    const a = at(fromMs);
    const b = at(toMs);
    return a && b ? b.cpuSeconds - a.cpuSeconds : 0;
  }

  /** Mean busy share of the machine between two instants. */
  machineBusyBetween(fromMs: number, toMs: number): number {
    const window = this.samples.filter((s) => s.t > fromMs && s.t <= toMs);
    if (window.length === 0) return 0;
    return window.reduce((sum, s) => sum + s.machineBusy, 0) / window.length;
  }
}
