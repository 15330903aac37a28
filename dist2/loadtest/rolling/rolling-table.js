import { fmtInt, fmtMs, table, targetsTable, verificationLines } from '../report/report-table.js';
const secs = (s, digits = 1) => s === undefined || !Number.isFinite(s) ? '–' : `${s.toFixed(digits)} s`;
const list = (values) => (values.length > 0 ? values.join(', ') : '–');
function phaseRow(p) {
    const restarts = p.restarts;
    return [
        p.label,
        fmtInt(p.maxLag),
        p.maxLagSeconds.toFixed(2),
        list(restarts.map((r) => secs(r.drainSeconds))),
        list(restarts.map((r) => r.exit)),
        list(restarts.map((r) => `${secs(r.readySeconds)} / ${secs(r.partitionsSeconds)}`)),
        list(restarts.map((r) => r.lagNeverAboveThreshold
            ? 'never above'
            : r.recoverySeconds === undefined
                ? 'NOT back'
                : secs(r.recoverySeconds))),
        `${fmtInt(p.retries503 + p.retriesRefused)} (${fmtInt(p.retries503)} / ${fmtInt(p.retriesRefused)})`,
        fmtMs(p.httpAck.p99),
        `${(p.machineBusy * 100).toFixed(0)}%`,
    ];
}
function drainLine(r) {
    const steps = (r.drainSteps ?? [])
        .map((s) => `${s.step.split(':')[0]} ${fmtInt(s.ms)} ms`)
        .join(', ');
    const seen = r.signalSeenSeconds === undefined ? '' : `signal seen +${secs(r.signalSeenSeconds, 2)}; `;
    const finished = r.drainFinishedSeconds === undefined
        ? ''
        : `; drain finished +${secs(r.drainFinishedSeconds, 2)}`;
    return `  ${r.instance}: ${seen}${steps || 'no drain step logged'}${finished}; exit ${r.exit} +${secs(r.drainSeconds, 2)}`;
}
/** The plain table printed at the end of a run. */
export function renderRollingTable(r) {
    const out = [];
    out.push(`adgate rolling restart, ${fmtInt(r.rate)} events/s over HTTP, seed ${String(r.options.seed)}, ${r.startedAt}: ${r.pass ? 'PASS' : 'FAIL'}`);
    out.push(`machine: ${r.machine.cpus} CPUs, load average ${r.machine.loadAverageAtStart.map((n) => n.toFixed(2)).join(' ')} at start, ${(r.machine.busyDuringLoad * 100).toFixed(0)}% busy during the load. ${r.machine.note}`);
    out.push(`gateway: ${r.gateway.instances} instances (ingress + sink), ${r.gateway.partitions} partitions, ADGATE_DRAIN_TIMEOUT_MS ${r.gateway.drainTimeoutMs}, session timeout ${r.gateway.sessionTimeoutMs} ms, batch max ${r.gateway.batchMaxEvents} events; lag threshold ${fmtInt(r.lagThresholdEvents)} events (${(r.lagThresholdEvents / r.rate).toFixed(2)} s)`);
    out.push('');
    out.push('targets (shown, never asserted)');
    out.push(targetsTable(r.targets));
    out.push('');
    out.push('phases: drain vs hard kill (one value per restart, in order)');
    out.push(table([
        [
            'phase',
            'max lag',
            'max lag s',
            'signal → exit',
            'exit',
            'ready / partitions',
            'lag back under threshold',
            'retries (503 / refused)',
            'ack p99',
            'busy',
        ],
        ...r.phases.map(phaseRow),
    ]));
    out.push('');
    out.push('restarts');
    const restarts = r.phases.flatMap((p) => p.restarts);
    out.push(table([
        [
            'restart',
            'at',
            'lag at signal',
            'max lag (when)',
            'retries',
            'first acks by replacement (ms)',
            'partition assignments seen (from the signal)',
        ],
        ...restarts.map((x) => [
            `${x.signal} ${x.instance} → ${x.replacement}`,
            secs(x.at),
            fmtInt(x.lagAtSignal),
            `${fmtInt(x.maxLag)} (+${secs(x.maxLagAfter)})`,
            fmtInt(x.retries503 + x.retriesRefused),
            list(x.replacementFirstAcksMs.map((ms) => String(ms))),
            x.assignments
                .map((a) => `+${a.at.toFixed(1)} ${a.instance} [${a.partitions.join(',')}]`)
                .join('; ') || '–',
        ]),
    ]));
    const drains = restarts.filter((x) => x.signal === 'SIGTERM');
    if (drains.length > 0 || r.finalStops.length > 0) {
        out.push('');
        out.push('drain steps (from each gateway\'s "drain step done" lines; times from the SIGTERM)');
        for (const d of drains)
            out.push(drainLine(d));
        for (const f of r.finalStops)
            out.push(`${drainLine(f)} (final stop, load over)`);
    }
    const problems = restarts.flatMap((x) => x.problems.map((p) => `  ${x.signal} ${x.instance}: ${p.count} × ${p.line}`));
    if (problems.length > 0) {
        out.push('');
        out.push('warnings and errors the gateways logged during each restart');
        out.push(...problems.slice(0, 30));
        if (problems.length > 30)
            out.push(`  … and ${problems.length - 30} more`);
    }
    out.push('');
    out.push(`stream: ${fmtInt(r.stream.distinct)} distinct events, ${fmtInt(r.stream.malformed)} malformed, ${fmtInt(r.stream.messagesInTopic)} messages in the topic, ${fmtInt(r.stream.requests)} requests (${fmtInt(r.stream.lateSends)} left > 100 ms late; ${fmtInt(r.stream.noneInRotation)} attempts found no instance in rotation)`);
    out.push(`final drain: ${r.finalDrain.drained ? 'committed the topic end' : `NOT drained, lag ${fmtInt(r.finalDrain.lag)}`} ${secs(r.finalDrain.seconds)} after the load stopped`);
    out.push('', verificationLines(r.pass, r.checks, r.differences));
    return out.join('\n');
}
//# sourceMappingURL=rolling-table.js.map