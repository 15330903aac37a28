import { readMachineTicks } from './measure-process.js';

/** The machine's busy share over time, from /proc/stat. */
export class MachineSampler {
  private readonly samples: { t: number; busy: number; total: number }[] = [];
  private timer: NodeJS.Timeout | undefined;

  start(everyMs: number): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    this.samples.push({ t: Date.now(), ...readMachineTicks() });
  }

  busyBetween(fromMs: number, toMs: number): number {
    const a = this.samples.find((s) => s.t >= fromMs) ?? this.samples[0];
    const b = this.samples.filter((s) => s.t <= toMs).at(-1) ?? this.samples.at(-1);
    if (a === undefined || b === undefined || b.total <= a.total) return 0;
    return (b.busy - a.busy) / (b.total - a.total);
  }
}
