import { postgresCheck } from '../../testkit/verify-outcome.js';
import { lagOf } from '../measure/measure-lag.js';
import { latencyOf, quantile } from '../measure/measure-metrics.js';
import { fmtInt } from '../report/report-table.js';
/** Every PASS/FAIL check of a rolling restart (loadtest/README.md, "Rolling restart"). */
export function rollingChecks(outcome, expected, load, finalDrain, options) {
    const http = load.http;
    const failed = Object.values(http.failed).reduce((a, b) => a + b, 0);
    return [
        postgresCheck(expected.distinct, outcome.verdict),
        {
            name: 'every request acknowledged (202/422), none given up on',
            expected: '0 given up',
            actual: `${failed} given up ${JSON.stringify(http.failed)}`,
            ok: failed === 0,
        },
        {
            name: 'HTTP rejected every malformed event it was sent (202/422 bodies)',
            expected: fmtInt(load.malformedHttp),
            actual: fmtInt(http.rejected),
            ok: http.rejected === load.malformedHttp,
        },
        {
            name: 'no dead letters (malformed events never reach Kafka over HTTP)',
            expected: '0',
            actual: fmtInt(outcome.dlqMessages),
            ok: outcome.dlqMessages === 0,
        },
        {
            name: 'the group committed the topic end after the load',
            expected: `within ${options.finalDrainTimeout} s`,
            actual: finalDrain.drained
                ? `in ${(finalDrain.waitedMs / 1000).toFixed(1)} s`
                : `lag ${fmtInt(finalDrain.lag)}`,
            ok: finalDrain.drained,
        },
    ];
}
/** One window of the run (the warm-up, or a phase's restarts): lag, retries, acks, machine. */
export function summarizeWindow(steady, options, window, restarts) {
    const { from, to } = window;
    const lags = steady.lag.samples.filter((s) => s.t >= from && s.t <= to).map(lagOf);
    const maxLag = Math.max(0, ...lags);
    const retries = steady.client.retries.filter((x) => x.t >= from && x.t <= to);
    const items = (t) => steady.itemsAt.reduce((best, m) => (Math.abs(m.t - t) < Math.abs(best.t - t) ? m : best));
    const a = items(from);
    const b = items(to);
    const acks = steady.client.acks.filter((x) => x.t >= from && x.t <= to).map((x) => x.ms);
    return {
        ...window,
        from: steady.rel(from),
        to: steady.rel(to),
        offeredPerSecond: b.t > a.t ? ((b.items - a.items) * 1000) / (b.t - a.t) : 0,
        maxLag,
        maxLagSeconds: maxLag / options.rate,
        medianLag: quantile(lags, 0.5) ?? 0,
        retries503: retries.filter((x) => x.status === 503).length,
        retriesRefused: retries.filter((x) => x.status !== 503).length,
        httpAck: latencyOf(acks),
        machineBusy: steady.machine.busyBetween(from, to),
        restarts,
    };
}
export const PHASE_LABEL = {
    drain: 'drain (SIGTERM)',
    kill: 'hard kill (SIGKILL)',
};
const TYPES = ['impression', 'click', 'conversion'];
/** The targets, shown and never asserted. */
export function rollingTargets(phases, expected, verdict) {
    const drainPhase = phases.find((p) => p.name === 'drain');
    const killPhase = phases.find((p) => p.name === 'kill');
    const drains = drainPhase?.restarts ?? [];
    const found = (type) => verdict.actual.byType[type] ?? 0;
    const lost = TYPES.reduce((n, t) => n + Math.max(0, expected.byType[t] - found(t)), 0);
    const extra = TYPES.reduce((n, t) => n + Math.max(0, found(t) - expected.byType[t]), 0);
    const maxLag = (p) => p === undefined ? '–' : `${p.maxLagSeconds.toFixed(2)} s (${fmtInt(p.maxLag)} events)`;
    const some = drains.length > 0;
    return [
        {
            name: 'each drain, SIGTERM → exit, at steady load',
            target: '≤ 5 s',
            value: some ? drains.map((d) => `${d.drainSeconds.toFixed(2)} s`).join(', ') : '–',
            met: some ? drains.every((d) => d.drainSeconds <= 5) : undefined,
        },
        {
            name: 'max lag during the rolling restart (drain phase)',
            target: '≤ 2 s of traffic',
            value: maxLag(drainPhase),
            met: drainPhase === undefined ? undefined : drainPhase.maxLagSeconds <= 2,
        },
        {
            name: 'zero loss and zero duplicates (verifier)',
            target: '0 / 0',
            value: `${fmtInt(lost)} lost, ${fmtInt(extra)} extra${verdict.pass ? '' : `; ${verdict.differences.length} differences`}`,
            met: verdict.pass,
        },
        {
            name: 'each drain exits 0 (SPEC §7)',
            target: 'exit 0',
            value: some ? drains.map((d) => d.exit).join(', ') : '–',
            met: some ? drains.every((d) => d.exit === '0') : undefined,
        },
        {
            name: 'for comparison: max lag with hard kills',
            target: '(none)',
            value: maxLag(killPhase),
            met: undefined,
        },
    ];
}
//# sourceMappingURL=rolling-verdict.js.map