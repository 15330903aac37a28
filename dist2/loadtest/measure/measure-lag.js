import { rateBetween } from './measure-metrics.js';
import { sampleEvery } from './sample-every.js';
/** Sums of the topic's high watermarks and of the group's committed offsets. */
export async function readOffsets(admin, topic, groupId) {
    const [ends, groups] = await Promise.all([
        admin.fetchTopicOffsets(topic),
        admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const end = ends.reduce((sum, p) => sum + Number(p.high), 0);
    let committed = 0;
    for (const t of groups)
        for (const p of t.partitions)
            committed += Math.max(0, Number(p.offset));
    return { end, committed };
}
/** The sum of a topic's high watermarks (the DLQ's message count, say). */
export async function topicEnd(admin, topic) {
    const ends = await admin.fetchTopicOffsets(topic);
    return ends.reduce((sum, p) => sum + Number(p.high), 0);
}
/**
 * Samples the consumer lag (high watermark minus committed offset, over
 * all partitions) every `everyMs`, one request pair at a time, until
 * stopped. The committed series is also the end-to-end throughput: the
 * sink commits an offset only after its events are committed in PostgreSQL.
 */
export class LagSampler {
    admin;
    topic;
    groupId;
    everyMs;
    samples = [];
    sampling;
    errors = 0;
    constructor(admin, topic, groupId, everyMs) {
        this.admin = admin;
        this.topic = topic;
        this.groupId = groupId;
        this.everyMs = everyMs;
    }
    get latest() {
        return this.samples.at(-1);
    }
    get failedSamples() {
        return this.errors;
    }
    start() {
        this.sampling = sampleEvery(this.everyMs, async () => {
            try {
                const { end, committed } = await readOffsets(this.admin, this.topic, this.groupId);
                this.samples.push({ t: Date.now(), end, committed });
            }
            catch {
                this.errors += 1;
            }
        });
    }
    stop() {
        this.sampling?.stop();
    }
    /**
     * Waits until the group has committed the topic's end (the sink has
     * drained), reading fresh offsets rather than samples. Returns the wait.
     */
    async waitDrained(timeoutMs) {
        const started = Date.now();
        for (;;) {
            const { end, committed } = await readOffsets(this.admin, this.topic, this.groupId);
            if (committed >= end)
                return { drained: true, waitedMs: Date.now() - started, lag: 0 };
            if (Date.now() - started > timeoutMs) {
                return { drained: false, waitedMs: Date.now() - started, lag: end - committed };
            }
            await new Promise((r) => setTimeout(r, 200));
        }
    }
}
/** Group offsets committed per second between two instants. */
export function committedRate(samples, fromMs, toMs) {
    return rateBetween(samples, (s) => s.committed, fromMs, toMs);
}
/** Messages written to the topic per second between two instants. */
export function producedRate(samples, fromMs, toMs) {
    return rateBetween(samples, (s) => s.end, fromMs, toMs);
}
/** One sample's lag: high watermarks minus committed offsets, never below 0. */
export const lagOf = (s) => Math.max(0, s.end - s.committed);
/**
 * Signal → the start of the first stretch of at least `calmMs` under the
 * threshold after the window's peak; absent if none came. Counting from the
 * peak, rather than from the last sample above the threshold, keeps a
 * late spike of a busy machine from passing for a slow recovery.
 */
export function recoveryOf(window, threshold, signalAt, calmMs) {
    let peak = -1;
    window.forEach((s, i) => {
        if (peak < 0 || lagOf(s) > lagOf(window[peak]))
            peak = i;
    });
    const top = window[peak];
    if (top === undefined || lagOf(top) < threshold)
        return { seconds: 0, neverAbove: true };
    let calmFrom;
    for (const s of window.slice(peak + 1)) {
        if (lagOf(s) >= threshold)
            calmFrom = undefined;
        else {
            calmFrom ??= s;
            if (s.t - calmFrom.t >= calmMs) {
                return { seconds: (calmFrom.t - signalAt) / 1000, neverAbove: false };
            }
        }
    }
    return { neverAbove: false };
}
//# sourceMappingURL=measure-lag.js.map