import { fmtInt } from '../report/report-table.js';
/** Prints a progress line every few seconds while a phase or a drain is under way. */
export class Progress {
    lag;
    sink;
    process;
    everyMs;
    say;
    phase;
    /** What is under way ('main', 'main drain'); '' prints nothing. */
    stage = '';
    timer;
    lastItems = 0;
    lastCommitted = 0;
    lastAt = performance.now();
    constructor(lag, sink, process, everyMs, say) {
        this.lag = lag;
        this.sink = sink;
        this.process = process;
        this.everyMs = everyMs;
        this.say = say;
    }
    start() {
        this.timer = setInterval(() => this.print(), this.everyMs);
    }
    stop() {
        clearInterval(this.timer);
    }
    /** The gateway's cores over the last progress interval. */
    gatewayCores() {
        const samples = this.process.samples;
        const proc = samples.at(-1);
        const previous = samples[Math.max(0, samples.length - 1 - Math.round(this.everyMs / 500))];
        return proc && previous && proc.t > previous.t
            ? (proc.cpuSeconds - previous.cpuSeconds) / ((proc.t - previous.t) / 1000)
            : 0;
    }
    print() {
        if (this.stage === '')
            return;
        const now = performance.now();
        const seconds = Math.max(0.001, (now - this.lastAt) / 1000);
        const items = this.phase?.items ?? 0;
        const sample = this.lag.latest;
        const committed = this.sink.latest?.handled ?? 0;
        const sent = items >= this.lastItems ? items - this.lastItems : items;
        const proc = this.process.samples.at(-1);
        this.say(`${this.stage}: sent ${fmtInt(items)} (${fmtInt(sent / seconds)}/s) | committed ${fmtInt(committed)} (${fmtInt((committed - this.lastCommitted) / seconds)}/s) | lag ${fmtInt(sample ? sample.end - sample.committed : undefined)} | gateway ${fmtInt((proc?.rssBytes ?? 0) / 1048576)} MB, ${this.gatewayCores().toFixed(2)} cores | machine ${((proc?.machineBusy ?? 0) * 100).toFixed(0)}% busy`);
        this.lastItems = items;
        this.lastCommitted = committed;
        this.lastAt = now;
    }
}
//# sourceMappingURL=progress.js.map