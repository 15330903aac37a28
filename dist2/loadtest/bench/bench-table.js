import { fmtInt, fmtMs, table, targetsTable, verificationLines } from '../report/report-table.js';
const fmtLatency = (l) => {
    if (l.count === 0)
        return '–';
    const one = (name) => `${l.atLeast?.includes(name) ? '≥' : ''}${fmtMs(l[name])}`;
    return `${one('p50')} / ${one('p95')} / ${one('p99')}`;
};
const pct = (n) => `${(n * 100).toFixed(0)}%`;
function phaseRows(p) {
    const target = p.target === 'max' ? 'max' : `${fmtInt(p.target)}/s`;
    return [
        [`${p.name} (${target}, ${p.windowSeconds.toFixed(0)} s window)`, '', ''],
        [
            '  offered → produced → committed msg/s',
            `${fmtInt(p.offeredPerSecond)} → ${fmtInt(p.producedPerSecond)} → ${fmtInt(p.committedPerSecond)}`,
            '',
        ],
        [
            '  new rows/s; Kafka group offsets/s',
            `${fmtInt(p.insertedPerSecond)}; ${fmtInt(p.offsetsPerSecond)}`,
            '',
        ],
        ['  HTTP ack p50 / p95 / p99', fmtLatency(p.httpAck), `${fmtInt(p.httpAck.count)} requests`],
        [
            '  HTTP answer p50 / p95 / p99, gateway side',
            fmtLatency(p.httpAckGateway),
            'adgate_http_ack_seconds',
        ],
        [
            '  event-loop lag p50 / p95 / p99, gateway',
            fmtLatency(p.eventLoopLag),
            'adgate_event_loop_lag_seconds',
        ],
        [
            '  Kafka-direct ack p50 / p95 / p99',
            fmtLatency(p.kafkaAck),
            `${fmtInt(p.kafkaAck.count)} sends`,
        ],
        ['  event→commit p50 / p95 / p99', fmtLatency(p.eventToCommit), 'gateway histogram'],
        ['  max lag (messages)', fmtInt(p.maxLag), `drained in ${p.drain.seconds.toFixed(1)} s`],
        [
            '  sink flushes: count, mean msgs, mean / p99',
            `${fmtInt(p.flushes.count)}, ${fmtInt(p.flushes.meanMessages)}, ${fmtMs(p.flushes.meanMs)} / ${fmtMs(p.flushes.p99Ms)}`,
            'adgate_sink_flush_*',
        ],
        [
            '  flush stages, mean ms',
            Object.entries(p.flushes.stageMeanMs)
                .map(([stage, ms]) => `${stage.replace('_', ' ')} ${ms.toFixed(0)}`)
                .join(' · '),
            'adgate_sink_stage_seconds',
        ],
        [
            '  CPU cores: gateway / bench / machine busy',
            `${p.gatewayCores.toFixed(2)} / ${p.benchCores.toFixed(2)} / ${pct(p.machineBusy)}`,
            p.pausedSeconds > 0.5 ? `load paused ${p.pausedSeconds.toFixed(1)} s at --max-lag` : '',
        ],
        [
            '  CPU cores: postgres / redis / kafka',
            `${p.serviceCores.postgres.toFixed(2)} / ${p.serviceCores.redis.toFixed(2)} / ${p.serviceCores.kafka.toFixed(2)}`,
            '/proc, every process of each',
        ],
        [
            '  CPU µs per message: gateway / bench / postgres / redis / kafka',
            [
                p.gatewayCores,
                p.benchCores,
                p.serviceCores.postgres,
                p.serviceCores.redis,
                p.serviceCores.kafka,
            ]
                .map((cores) => (p.committedPerSecond > 0 ? (cores * 1e6) / p.committedPerSecond : 0).toFixed(0))
                .join(' / '),
            'cores ÷ committed msg/s',
        ],
    ];
}
/** The plain table printed at the end of a run. */
export function renderTable(r) {
    const out = [];
    out.push(`adgate bench, ${r.mode} mode, seed ${String(r.options.seed)}, ${r.startedAt}: ${r.pass ? 'PASS' : 'FAIL'}`);
    out.push(`machine: ${r.machine.cpus} CPUs, load average ${r.machine.loadAverageAtStart.map((n) => n.toFixed(2)).join(' ')} at start. ${r.machine.note}`);
    out.push('');
    out.push('targets (reported, not asserted)');
    out.push(targetsTable(r.targets));
    out.push('');
    out.push('phases');
    out.push(table(r.phases.flatMap(phaseRows)));
    out.push(`  sustained end-to-end: ${fmtInt(r.sustainedPerSecond)} msg/s; limited by ${r.limitedBy}`);
    out.push('');
    out.push('stage ceilings on this machine (same stream, same sizes)');
    const ceilingRows = r.ceilings.map((c) => [
        c.diagnosis ? `(${c.name})` : c.name,
        `${fmtInt(c.perSecond)}/s`,
        `${fmtInt(c.records)} in ${c.seconds.toFixed(1)} s${c.problem ? ` (${c.problem.slice(0, 80)})` : ''}`,
    ]);
    if (r.baseline) {
        ceilingRows.push([
            'per-event baseline',
            `${fmtInt(r.baseline.perSecond)}/s`,
            `${fmtInt(r.baseline.messages)} in ${r.baseline.seconds.toFixed(1)} s${r.baseline.problem ? ` (${r.baseline.problem.slice(0, 80)})` : ''}`,
        ]);
    }
    out.push(table(ceilingRows.length > 0 ? ceilingRows : [['(skipped)']]));
    if (r.ceilings.some((c) => c.diagnosis)) {
        out.push("  (in parentheses: adgate's own SQL write path alone; a diagnosis, not a ceiling)");
    }
    out.push('');
    out.push(`gateway: peak RSS ${fmtInt(r.gateway.peakRssMb)} MB, CPU ${r.gateway.cpuSeconds?.toFixed(1) ?? '–'} s, SIGTERM → exit ${String(r.gateway.exitCode)} in ${r.gateway.stopSeconds.toFixed(1)} s`);
    const encodings = Object.entries(r.redis.encodings)
        .map(([k, v]) => `${fmtInt(v)} ${k}`)
        .join(', ');
    out.push(`redis: ${fmtInt(r.redis.keys)} dedup keys in ${fmtInt(r.redis.hashes)} hashes of ${fmtInt(r.redis.buckets)} buckets (${encodings || 'none'}; hash-max-listpack-entries ${r.redis.listpackMaxEntries ?? '?'})`);
    out.push(`  dedup commands per message: ${r.redis.dedupCommandsPerMessage.toFixed(2)} inside scripts (HEXISTS + HSET + PEXPIREAT + HLEN), ${(r.redis.dedupScriptCallsPerMessage * 1000).toFixed(2)} script calls per 1,000 messages (shared server: other clients count too)`);
    out.push(`  bytes/key: ${r.redis.bytesPerKeyUsedMemory?.toFixed(1) ?? '–'} (INFO used_memory, ${r.redis.usedMemoryMethod}), ${r.redis.bytesPerKeyMemoryUsage?.toFixed(1) ?? '–'} (MEMORY USAGE of the run's hashes), ${r.redis.marginalBytesPerKey?.toFixed(1) ?? '–'} per extra key + ${fmtInt(r.redis.bytesPerHash)} per hash (fit)`);
    out.push(`stream: ${fmtInt(r.stream.distinct)} distinct events (${Object.entries(r.stream.byType)
        .map(([k, v]) => `${fmtInt(v)} ${k}s`)
        .join(', ')}), ${fmtInt(r.stream.malformed)} malformed, ${fmtInt(r.stream.messagesInTopic)} messages in the topic`);
    out.push('', verificationLines(r.pass, r.checks, r.differences));
    return out.join('\n');
}
//# sourceMappingURL=bench-table.js.map