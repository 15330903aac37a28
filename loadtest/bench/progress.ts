import type { PhaseLoad } from '../load/drive-load.js';
import type { LagSampler } from '../measure/measure-lag.js';
import type { SinkSampler } from '../measure/measure-metrics.js';
import type { ProcessSampler } from '../measure/measure-process.js';
import { fmtInt } from '../report/report-table.js';

/** Prints a progress line every few seconds while a phase or a drain is under way. */
export class Progress {
  phase: PhaseLoad | undefined;
  /** What is under way ('main', 'main drain'); '' prints nothing. */
  stage = '';
  private timer: NodeJS.Timeout | undefined;
  private lastItems = 0;
  private lastCommitted = 0;
  private lastAt = performance.now();

  constructor(
    private readonly lag: LagSampler,
    private readonly sink: SinkSampler,
    private readonly process: ProcessSampler,
    private readonly everyMs: number,
    private readonly say: (message: string) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.print(), this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The gateway's cores over the last progress interval. */
  private gatewayCores(): number {
    const samples = this.process.samples;
    const proc = samples.at(-1);
    const previous = samples[Math.max(0, samples.length - 1 - Math.round(this.everyMs / 500))];
    return proc && previous && proc.t > previous.t
      ? (proc.cpuSeconds - previous.cpuSeconds) / ((proc.t - previous.t) / 1000)
      : 0;
  }

  private print(): void {
    if (this.stage === '') return;
    const now = performance.now();
    const seconds = Math.max(0.001, (now - this.lastAt) / 1000);
    const items = this.phase?.items ?? 0;
    const sample = this.lag.latest;
    const committed = this.sink.latest?.handled ?? 0;
    const sent = items >= this.lastItems ? items - this.lastItems : items;
    const proc = this.process.samples.at(-1);
    this.say(
      `${this.stage}: sent ${fmtInt(items)} (${fmtInt(sent / seconds)}/s) | committed ${fmtInt(committed)} (${fmtInt((committed - this.lastCommitted) / seconds)}/s) | lag ${fmtInt(sample ? sample.end - sample.committed : undefined)} | gateway ${fmtInt((proc?.rssBytes ?? 0) / 1048576)} MB, ${this.gatewayCores().toFixed(2)} cores | machine ${((proc?.machineBusy ?? 0) * 100).toFixed(0)}% busy`,
    );
    this.lastItems = items;
    this.lastCommitted = committed;
    this.lastAt = now;
  }
}
