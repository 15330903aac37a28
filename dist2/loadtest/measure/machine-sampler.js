import { readMachineTicks } from './measure-process.js';
/** The machine's busy share over time, from /proc/stat. */
export class MachineSampler {
    samples = [];
    timer;
    start(everyMs) {
        this.sample();
        this.timer = setInterval(() => this.sample(), everyMs);
    }
    stop() {
        clearInterval(this.timer);
        this.sample();
    }
    sample() {
        this.samples.push({ t: Date.now(), ...readMachineTicks() });
    }
    busyBetween(fromMs, toMs) {
        const a = this.samples.find((s) => s.t >= fromMs) ?? this.samples[0];
        const b = this.samples.filter((s) => s.t <= toMs).at(-1) ?? this.samples.at(-1);
        if (a === undefined || b === undefined || b.total <= a.total)
            return 0;
        return (b.busy - a.busy) / (b.total - a.total);
    }
}
//# sourceMappingURL=machine-sampler.js.map