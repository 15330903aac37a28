import { machineFacts } from '../common/bench-run.js';
import { benchTargets, limitedBy, slowestCeiling } from './bench-verdict.js';
/** The figures compared with the targets: ratios to the baseline and the slowest ceiling, the peak RSS. */
function headline(f, main) {
    const sustained = main.committedPerSecond;
    const slowest = slowestCeiling(f.ceilings);
    const baselineRate = f.baseline?.perSecond ?? 0;
    const reading = f.gut.proc.lastReading;
    return {
        sustained,
        slowest,
        ratioToBaseline: baselineRate > 0 ? sustained / baselineRate : undefined,
        ratioToSlowest: slowest ? sustained / slowest.perSecond : undefined,
        peakRss: reading ? reading.peakRssBytes / 1048576 : undefined,
    };
}
/** The time series on the report's axis (seconds since the gateway was ready). */
function series(gut) {
    const rel = (t) => (t - gut.startedAt) / 1000;
    const proc = gut.proc.samples;
    return {
        series: gut.lag.samples.map((s) => ({
            t: rel(s.t),
            produced: s.end,
            committed: s.committed,
            lag: s.end - s.committed,
        })),
        sink: gut.sink.samples.map((s) => ({ t: rel(s.t), handled: s.handled, inserted: s.inserted })),
        process: proc.map((s, i) => {
            const prev = proc[i - 1];
            const cores = prev && s.t > prev.t ? (s.cpuSeconds - prev.cpuSeconds) / ((s.t - prev.t) / 1000) : 0;
            return { t: rel(s.t), rssMb: s.rssBytes / 1048576, cores };
        }),
    };
}
export function assembleResult(f) {
    const { options, expected, outcome, runner, gut } = f;
    const main = runner.phases[0];
    if (main === undefined)
        throw new Error('the main phase did not run');
    const pass = f.checks.every((c) => c.ok);
    const h = headline(f, main);
    const half = runner.phases.find((p) => p.name === 'half');
    const reading = gut.proc.lastReading;
    return {
        version: 1,
        pass,
        mode: options.mode,
        startedAt: f.run.startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        options: { ...options, nowIso: new Date(options.nowMs).toISOString() },
        machine: machineFacts(f.run, 'Everything (Kafka, PostgreSQL, Redis, the gateway, this load generator) shares this machine; figures from a busy machine are noise.'),
        names: { ...f.run.names },
        stream: {
            distinct: expected.distinct,
            byType: { ...expected.byType },
            malformed: expected.malformed,
            messagesInTopic: outcome.messagesInTopic,
        },
        checks: f.checks,
        differences: outcome.verdict.differences,
        phases: runner.phases,
        sustainedPerSecond: h.sustained,
        limitedBy: limitedBy(main),
        gateway: {
            ...(h.peakRss === undefined ? {} : { peakRssMb: h.peakRss }),
            ...(reading ? { cpuSeconds: reading.cpuSeconds } : {}),
            exitCode: f.stopped.exit.code,
            stopSeconds: f.stopped.stopSeconds,
        },
        redis: f.redis,
        ceilings: f.ceilings,
        ...(h.slowest ? { slowestCeiling: h.slowest } : {}),
        ...(h.ratioToSlowest === undefined ? {} : { ratioToSlowestCeiling: h.ratioToSlowest }),
        ...(f.baseline ? { baseline: f.baseline } : {}),
        ...(h.ratioToBaseline === undefined ? {} : { ratioToBaseline: h.ratioToBaseline }),
        targets: benchTargets({ ...h, pass, half, redis: f.redis }),
        ...series(gut),
        spans: runner.spans,
        files: { ...f.files },
    };
}
//# sourceMappingURL=assemble-result.js.map