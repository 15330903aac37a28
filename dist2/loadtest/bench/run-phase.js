import { bucketQuantile, histogramDelta } from '../../testkit/prometheus.js';
import { sleep } from '../common/say.js';
import { driveLoad } from '../load/drive-load.js';
import { committedRate, producedRate } from '../measure/measure-lag.js';
import { histogram, latencyOf, rateBetween, scrapeMetrics, sumOf, } from '../measure/measure-metrics.js';
import { fmtInt, fmtMs } from '../report/report-table.js';
/** Load at `rate` for `seconds`, then the sink's drain; the phase's figures. */
export async function runPhase(runner, name, rate, seconds) {
    runner.say(`${name}: ${rate === 'max' ? 'max rate' : `${fmtInt(rate)} msg/s`} for ${seconds} s`);
    const ran = await driveAndDrain(runner, name, rate, seconds);
    const rel = (t) => (t - runner.gut.startedAt) / 1000;
    runner.spans.push({ name, from: rel(ran.load.startedAtMs), to: rel(ran.endedAt) });
    runner.spans.push({ name: 'drain', from: rel(ran.endedAt), to: rel(ran.drainedAt) });
    const figures = phaseFigures(runner, name, rate, ran);
    runner.say(`${name}: committed ${fmtInt(figures.committedPerSecond)} msg/s, HTTP ack p99 ${fmtMs(figures.httpAck.p99)}, event→commit p99 ${fmtMs(figures.eventToCommit.p99)}; drained ${ran.drain.drained ? 'yes' : 'NO'} in ${figures.drain.seconds.toFixed(1)} s`);
    runner.phases.push(figures);
    runner.loads.push(ran.load);
    return figures;
}
async function driveAndDrain(runner, name, rate, seconds) {
    const { options, gut } = runner;
    const before = runner.lastScrape;
    const cpuBefore = process.cpuUsage();
    gut.progress.stage = name;
    const settings = {
        name,
        rate,
        durationMs: seconds * 1000,
        httpSlots: options.connections,
        kafkaSlots: options.kafkaInFlight,
        // So that the phase measures what the gateway sustains, not how much lag piles up.
        mayProceed: () => {
            const s = gut.lag.latest;
            return s === undefined || s.end - s.committed <= options.maxLag;
        },
    };
    const load = await driveLoad(runner.router, runner.http, runner.kafkaLoad, settings, (p) => {
        gut.progress.phase = p;
    });
    const cpu = process.cpuUsage(cpuBefore);
    const endedAt = load.endedAtMs ?? Date.now();
    gut.progress.stage = `${name} drain`;
    const drain = await gut.lag.waitDrained(options.drainTimeout * 1000);
    const drainedAt = Date.now();
    // Let the samplers see the drained state before the window closes.
    await sleep(options.sampleEveryMs * 2);
    gut.progress.stage = '';
    const after = await scrapeMetrics(gut.gateway.url);
    runner.lastScrape = after;
    return { load, cpu, endedAt, drain, drainedAt, before, after };
}
function phaseFigures(runner, name, rate, ran) {
    const { lag, sink, proc, services } = runner.gut;
    const { load, endedAt: ended, before, after, drain } = ran;
    const phaseSeconds = (ended - load.startedAtMs) / 1000;
    const warmupMs = Math.min(runner.options.warmup * 1000, Math.max(0, (phaseSeconds - 1) * 1000));
    const from = load.startedAtMs + warmupMs;
    const windowSamples = lag.samples.filter((s) => s.t >= load.startedAtMs && s.t <= ran.drainedAt);
    return {
        name,
        target: rate,
        startedAt: load.startedAtMs,
        endedAt: ended,
        windowSeconds: (ended - from) / 1000,
        offeredPerSecond: load.items / Math.max(0.001, phaseSeconds),
        producedPerSecond: producedRate(lag.samples, from, ended),
        committedPerSecond: rateBetween(sink.samples, (x) => x.handled, from, ended),
        insertedPerSecond: rateBetween(sink.samples, (x) => x.inserted, from, ended),
        offsetsPerSecond: committedRate(lag.samples, from, ended),
        httpAck: latencyOf(load.http.ackMs),
        kafkaAck: latencyOf(load.kafka.ackMs),
        eventToCommit: gatewayLatency(before, after, 'adgate_event_commit_latency_seconds'),
        httpAckGateway: gatewayLatency(before, after, 'adgate_http_ack_seconds'),
        eventLoopLag: gatewayLatency(before, after, 'adgate_event_loop_lag_seconds'),
        maxLag: Math.max(0, ...windowSamples.map((s) => s.end - s.committed)),
        flushes: flushFigures(before, after),
        gatewayCores: proc.cpuSecondsBetween(from, ended) / Math.max(0.001, (ended - from) / 1000),
        benchCores: (ran.cpu.user + ran.cpu.system) / 1e6 / Math.max(0.001, phaseSeconds),
        serviceCores: services.coresBetween(from, ended),
        machineBusy: proc.machineBusyBetween(from, ended),
        pausedSeconds: load.pausedMs / 1000,
        lateSends: load.lateSends,
        drain: { drained: drain.drained, seconds: drain.waitedMs / 1000, lag: drain.lag },
        http: {
            requests: load.http.requests,
            wholeRetries: load.http.wholeRetries,
            unavailable: load.http.unavailable,
            failed: load.http.failed,
            accepted: load.http.accepted,
            rejected: load.http.rejected,
        },
        kafka: {
            sends: load.kafka.sends,
            messages: load.kafka.messages,
            failed: load.kafka.failed,
            retried: load.kafka.retried,
        },
    };
}
/** A gateway latency histogram's quantiles over a phase, in milliseconds. */
function gatewayLatency(before, after, name) {
    const delta = histogramDelta(histogram(before, name), histogram(after, name));
    const count = delta.at(-1)?.count ?? 0;
    if (count <= 0)
        return { count: 0 };
    const lastFinite = delta.filter((b) => Number.isFinite(b.le)).at(-1);
    const atLeast = [];
    const ms = (label, q) => {
        // Past the last finite bound, the quantile is only known to be at least that bound.
        if (lastFinite !== undefined && lastFinite.count < q * count)
            atLeast.push(label);
        const s = bucketQuantile(delta, q);
        return s === undefined ? undefined : s * 1000;
    };
    const p50 = ms('p50', 0.5);
    const p95 = ms('p95', 0.95);
    const p99 = ms('p99', 0.99);
    return { count, p50, p95, p99, ...(atLeast.length > 0 ? { atLeast } : {}) };
}
/** The stages flushBatch times, in order (src/sink/flush-batch.ts). */
const SINK_STAGES = ['decode', 'redis_lookup', 'dead_letters', 'postgres_write', 'redis_mark'];
function flushFigures(before, after) {
    const d = (name) => sumOf(after, name) - sumOf(before, name);
    const count = d('adgate_sink_flush_seconds_count');
    const name = 'adgate_sink_flush_seconds';
    const p99 = bucketQuantile(histogramDelta(histogram(before, name), histogram(after, name)), 0.99);
    const stageMeanMs = {};
    for (const stage of SINK_STAGES) {
        const seconds = sumOf(after, 'adgate_sink_stage_seconds_sum', { stage }) -
            sumOf(before, 'adgate_sink_stage_seconds_sum', { stage });
        stageMeanMs[stage] = count > 0 ? (seconds / count) * 1000 : 0;
    }
    return {
        count,
        meanMessages: count > 0 ? d('adgate_sink_flush_events_sum') / count : 0,
        meanMs: count > 0 ? (d('adgate_sink_flush_seconds_sum') / count) * 1000 : 0,
        ...(p99 === undefined ? {} : { p99Ms: p99 * 1000 }),
        stageMeanMs,
    };
}
//# sourceMappingURL=run-phase.js.map