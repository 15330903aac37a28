import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
const CLOCK_TICKS = (() => {
    try {
        return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    }
    catch {
        return 100;
    }
})();
/** Reads /proc/<pid>/status (VmRSS, VmHWM) and /proc/<pid>/stat (utime + stime). */
export function readProcess(pid) {
    try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        // A process that has exited but is not yet reaped (a zombie) has no
        // memory lines: that is no reading, not a reading of 0 bytes.
        if (!/^VmHWM:/m.test(status))
            return undefined;
        const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
        const cpuSeconds = readCpuSeconds(pid);
        if (cpuSeconds === undefined)
            return undefined;
        return { rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM'), cpuSeconds };
    }
    catch {
        return undefined;
    }
}
/** The whole machine's CPU ticks so far (all CPUs): busy and total, from /proc/stat. */
export function readMachineTicks() {
    try {
        const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
        const values = line.trim().split(/\s+/).slice(1).map(Number);
        const total = values.reduce((a, b) => a + b, 0);
        const idle = (values[3] ?? 0) + (values[4] ?? 0);
        return { busy: total - idle, total };
    }
    catch {
        return { busy: 0, total: 0 };
    }
}
/** Samples a process's memory and CPU, and the machine's busy share, every `everyMs`. */
export class ProcessSampler {
    pid;
    everyMs;
    samples = [];
    timer;
    lastTicks = readMachineTicks();
    last;
    constructor(pid, everyMs) {
        this.pid = pid;
        this.everyMs = everyMs;
    }
    /** The last reading, kept after the process exits (its VmHWM is the peak). */
    get lastReading() {
        return this.last;
    }
    start() {
        this.sample();
        this.timer = setInterval(() => this.sample(), this.everyMs);
    }
    stop() {
        clearInterval(this.timer);
        this.sample();
    }
    sample() {
        const reading = readProcess(this.pid);
        const ticks = readMachineTicks();
        const total = ticks.total - this.lastTicks.total;
        const machineBusy = total > 0 ? (ticks.busy - this.lastTicks.busy) / total : 0;
        this.lastTicks = ticks;
        if (reading === undefined)
            return;
        this.last = reading;
        this.samples.push({
            t: Date.now(),
            rssBytes: reading.rssBytes,
            cpuSeconds: reading.cpuSeconds,
            machineBusy,
        });
    }
    /** CPU seconds the process used between two instants, from the samples. */
    cpuSecondsBetween(fromMs, toMs) {
        const a = sampleAt(this.samples, fromMs);
        const b = sampleAt(this.samples, toMs);
        return a && b ? b.cpuSeconds - a.cpuSeconds : 0;
    }
    /** Mean busy share of the machine between two instants. */
    machineBusyBetween(fromMs, toMs) {
        const window = this.samples.filter((s) => s.t > fromMs && s.t <= toMs);
        if (window.length === 0)
            return 0;
        return window.reduce((sum, s) => sum + s.machineBusy, 0) / window.length;
    }
}
/** The last sample taken at or before `t` (the first one when none was). */
function sampleAt(samples, t) {
    let best;
    for (const s of samples)
        if (s.t <= t)
            best = s;
    return best ?? samples[0];
}
/** The servers the benchmark shares the machine with, by /proc/<pid>/comm. */
export const SERVICES = { postgres: 'postgres', redis: 'redis-server', kafka: 'java' };
/**
 * CPU of PostgreSQL, Redis and Kafka (every process of each, by command
 * name: one PostgreSQL backend per connection), so that the cost of an
 * event can be split across the whole machine. A process that starts
 * after the sampler counts from zero; one that lives less than a sample
 * interval is missed (the gateway's connections live for the run). On a
 * shared machine other users' processes of the same name count too.
 */
export class ServiceSampler {
    everyMs;
    samples = [];
    timer;
    /** Per pid: its service, its CPU seconds when first seen (0 if it started later), its latest. */
    pids = new Map();
    /** Pids of other programs, so that their names are read once. */
    others = new Set();
    started = false;
    constructor(everyMs) {
        this.everyMs = everyMs;
    }
    start() {
        this.sample();
        this.started = true;
        this.timer = setInterval(() => this.sample(), this.everyMs);
    }
    stop() {
        clearInterval(this.timer);
        this.sample();
    }
    /** Mean cores each service used between two instants. */
    coresBetween(fromMs, toMs) {
        const a = sampleAt(this.samples, fromMs);
        const b = sampleAt(this.samples, toMs);
        const seconds = Math.max(0.001, ((b?.t ?? 0) - (a?.t ?? 0)) / 1000);
        const cores = { postgres: 0, redis: 0, kafka: 0 };
        if (a === undefined || b === undefined)
            return cores;
        for (const service of Object.keys(cores)) {
            cores[service] = (b.cpuSeconds[service] - a.cpuSeconds[service]) / seconds;
        }
        return cores;
    }
    sample() {
        let entries;
        try {
            entries = readdirSync('/proc');
        }
        catch {
            return;
        }
        const byComm = new Map(Object.entries(SERVICES).map(([service, comm]) => [comm, service]));
        for (const entry of entries) {
            const pid = Number(entry);
            if (!Number.isInteger(pid) || this.others.has(pid))
                continue;
            let known = this.pids.get(pid);
            if (known === undefined) {
                let comm;
                try {
                    comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
                }
                catch {
                    continue;
                }
                const service = byComm.get(comm);
                if (service === undefined) {
                    this.others.add(pid);
                    continue;
                }
                const cpu = readCpuSeconds(pid);
                if (cpu === undefined)
                    continue;
                known = { service, base: this.started ? 0 : cpu, last: cpu };
                this.pids.set(pid, known);
                continue;
            }
            const cpu = readCpuSeconds(pid);
            if (cpu !== undefined)
                known.last = cpu;
        }
        const cpuSeconds = { postgres: 0, redis: 0, kafka: 0 };
        for (const { service, base, last } of this.pids.values())
            cpuSeconds[service] += last - base;
        this.samples.push({ t: Date.now(), cpuSeconds });
    }
}
/** utime + stime of a process so far, in seconds, from /proc/<pid>/stat. */
function readCpuSeconds(pid) {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // Fields after the command name, which may contain spaces, in parentheses.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    }
    catch {
        return undefined;
    }
}
//# sourceMappingURL=measure-process.js.map