import { fmtInt, fmtMs, table, targetsTable, verificationLines } from '../report/report-table.js';
import type { BenchResult, Latency, PhaseFigures } from './bench-result.js';

const fmtLatency = (l: Latency): string => {
  if (l.count === 0) return '–';
  const one = (name: 'p50' | 'p95' | 'p99') =>
    `${l.atLeast?.includes(name) ? '≥' : ''}${fmtMs(l[name])}`;
  return `${one('p50')} / ${one('p95')} / ${one('p99')}`;
};
const pct = (n: number): string => `${(n * 100).toFixed(0)}%`;

/** Short names of the CPU µs per message parts (PhaseFigures.cpuPerMessageUs). */
const US_NAMES: Record<string, string> = {
  gatewayOneProcess: 'gateway (one process)',
  loadGenerator: 'load generator',
};

/** The gateway's cores by role, or why there is no split. */
function roleRow(r: PhaseFigures['gatewayRoles']): string[] {
  if (!r.split) {
    return [
      '  gateway cores by role',
      `gateway (one process) ${r.oneProcess.toFixed(2)}`,
      'per-role split n/a: no --worker processes',
    ];
  }
  return [
    '  gateway cores by role',
    `supervisor ${r.supervisor.toFixed(2)} · ingress ${r.ingress.toFixed(2)} · sink ${r.sink.toFixed(2)}${r.other > 0 ? ` · other ${r.other.toFixed(2)}` : ''}`,
    'process tree, by --worker in cmdline',
  ];
}

function phaseRows(p: PhaseFigures): string[][] {
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
      '  CPU cores: gateway / load generator / machine busy',
      `${p.gatewayCores.toFixed(2)} / ${p.benchCores.toFixed(2)} / ${pct(p.machineBusy)}`,
      p.pausedSeconds > 0.5 ? `load paused ${p.pausedSeconds.toFixed(1)} s at --max-lag` : '',
    ],
    roleRow(p.gatewayRoles),
    [
      '  CPU cores: postgres / redis / kafka',
      `${p.serviceCores.postgres.toFixed(2)} / ${p.serviceCores.redis.toFixed(2)} / ${p.serviceCores.kafka.toFixed(2)}`,
      '/proc, every process of each',
    ],
    [
      '  CPU µs per message',
      Object.entries(p.cpuPerMessageUs)
        // One process: the role row says so, and its figure is the gateway's.
        .filter(([part]) => part !== 'gatewayOneProcess')
        .map(([part, us]) => `${US_NAMES[part] ?? part} ${us.toFixed(1)}`)
        .join(' · '),
      'cores ÷ committed msg/s',
    ],
    [
      '  prepared before the window',
      p.preparation.messages > 0
        ? `${fmtInt(p.preparation.messages)} msgs in ${p.preparation.seconds.toFixed(1)} s (${((p.preparation.cpuSeconds * 1e6) / p.preparation.messages).toFixed(1)} µs CPU each)`
        : `none: ${fmtInt(p.preparation.pooled)} left from the phase before`,
      p.ranOutOfPrepared
        ? 'RAN OUT: phase ended early (raise --prepare)'
        : 'not in any figure above',
    ],
    [
      '  load generator CPU µs per message sent',
      p.loadGeneratorUsPerSent.toFixed(1),
      'this process ÷ messages sent: HTTP client, Kafka produce, samplers',
    ],
  ];
}

function backlogRows(b: NonNullable<BenchResult['backlog']>): string[][] {
  const roles = roleRow(b.gatewayRoles);
  return [
    [
      '  messages (distinct)',
      `${fmtInt(b.messages)} (${fmtInt(b.distinct)})`,
      `written first in ${b.write.seconds.toFixed(1)} s (${fmtInt(b.write.perSecond)}/s, untimed)`,
    ],
    [
      '  drained msg/s',
      fmtInt(b.perSecond),
      `${b.seconds.toFixed(2)} s from ${b.start.signal} to the last commit`,
    ],
    [
      '  rows in ad_events at the end',
      `${fmtInt(b.rowsAtEnd)} of ${fmtInt(b.distinct)}`,
      b.drained ? 'committed = topic end' : `NOT drained: lag ${fmtInt(b.lagAtEnd)}`,
    ],
    [
      '  CPU cores: gateway / machine busy',
      `${b.gatewayCores.toFixed(2)} / ${pct(b.machineBusy)}`,
      `${b.sinkProcesses > 0 ? `${b.sinkProcesses} sink worker(s)` : 'one process'}`,
    ],
    roles,
    [
      '  CPU cores: postgres / redis / kafka',
      `${b.serviceCores.postgres.toFixed(2)} / ${b.serviceCores.redis.toFixed(2)} / ${b.serviceCores.kafka.toFixed(2)}`,
      '/proc, every process of each',
    ],
    [
      '  CPU µs per message',
      Object.entries(b.cpuPerMessageUs)
        // One process: the role row says so, and its figure is the instance's.
        .filter(([part]) => part !== 'gatewayOneProcess')
        .map(
          ([part, us]) =>
            `${part === 'gateway' ? 'sink instance' : (US_NAMES[part] ?? part)} ${us.toFixed(1)}`,
        )
        .join(' · '),
      'cores ÷ drained msg/s',
    ],
    [
      '  peak RSS (sampled Σ VmRSS; Σ VmHWM; file pages once)',
      `${fmtInt(b.peakRssMb)} MB; ${fmtInt(b.hwmSumMb)} MB; ${fmtInt(b.peakResidentMb)} MB`,
      'the whole instance',
    ],
  ];
}

/** The plain table printed at the end of a run. */
export function renderTable(r: BenchResult): string {
  const out: string[] = [];
  out.push(
    `adgate bench, ${r.mode} mode, seed ${String(r.options.seed)}, ${r.startedAt}: ${r.pass ? 'PASS' : 'FAIL'}`,
  );
  out.push(
    `machine: ${r.machine.cpus} CPUs, load average ${r.machine.loadAverageAtStart.map((n) => n.toFixed(2)).join(' ')} at start. ${r.machine.note}`,
  );
  if (r.tracing) {
    out.push(
      `tracing ON (--tracing): ${fmtInt(r.tracing.requests)} OTLP export requests, ${(r.tracing.bytes / 1048576).toFixed(1)} MB to the local receiver; every CPU figure below is with tracing on`,
    );
  }
  out.push('');
  out.push('targets (reported, not asserted)');
  out.push(targetsTable(r.targets));
  out.push('');
  if (r.phases.length > 0) {
    out.push('phases');
    out.push(table(r.phases.flatMap(phaseRows)));
    out.push(
      `  sustained end-to-end: ${fmtInt(r.sustainedPerSecond)} msg/s; limited by ${r.limitedBy}`,
    );
  }
  if (r.backlog)
    out.push('backlog drain (--backlog), the sink alone', table(backlogRows(r.backlog)));
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
  if (r.pipelineCeiling !== undefined) {
    const ratio = (x: number | undefined) => (x === undefined ? '–' : `${(x * 100).toFixed(0)}%`);
    out.push(
      `  pipeline ceiling 1/Σ(1/stage) ${fmtInt(r.pipelineCeiling)}/s (the stages share the cores): adgate ÷ pipeline ${ratio(r.ratioToPipelineCeiling)}, ÷ slowest (${r.slowestCeiling?.name ?? '–'}) ${ratio(r.ratioToSlowestCeiling)}`,
    );
    const missing = r.pipelineStagesMissing ?? [];
    if (missing.length > 0) {
      out.push(
        `  (pipeline ceiling over ${(r.pipelineStages ?? []).join(', ')} only: ${missing.join(', ')} not measured, so it is too high)`,
      );
    }
  }
  if (r.ceilings.some((c) => c.diagnosis)) {
    out.push("  (in parentheses: adgate's own SQL write path alone; a diagnosis, not a ceiling)");
  }
  out.push('');
  const procs = r.gateway.processes;
  const roles = Object.entries(procs ?? {}).filter(([, n]) => n > 0);
  // The root process alone is `serve` as one process, not a supervisor.
  const alone = roles.length === 1 && roles[0]?.[0] === 'supervisor' && roles[0][1] === 1;
  const tree =
    procs === undefined
      ? '–'
      : alone
        ? 'one (no workers)'
        : roles.map(([role, n]) => `${n} ${role}`).join(', ');
  out.push(
    `gateway: peak RSS ${fmtInt(r.gateway.peakRssMb)} MB (sampled Σ VmRSS of its processes; Σ VmHWM ${fmtInt(r.gateway.hwmSumMb)} MB; ${fmtInt(r.gateway.peakResidentMb)} MB with the node binary's shared pages counted once), processes at most: ${tree}; CPU ${r.gateway.cpuSeconds?.toFixed(1) ?? '–'} s, SIGTERM → exit ${String(r.gateway.exitCode)} in ${r.gateway.stopSeconds.toFixed(1)} s`,
  );
  const encodings = Object.entries(r.redis.encodings)
    .map(([k, v]) => `${fmtInt(v)} ${k}`)
    .join(', ');
  out.push(
    `redis: ${fmtInt(r.redis.keys)} dedup keys in ${fmtInt(r.redis.hashes)} hashes of ${fmtInt(r.redis.buckets)} buckets (${encodings || 'none'}; hash-max-listpack-entries ${r.redis.listpackMaxEntries ?? '?'})`,
  );
  out.push(
    `  dedup commands per message: ${r.redis.dedupCommandsPerMessage.toFixed(2)} inside scripts (HEXISTS + HSET + PEXPIREAT + HLEN), ${(r.redis.dedupScriptCallsPerMessage * 1000).toFixed(2)} script calls per 1,000 messages (shared server: other clients count too)`,
  );
  out.push(
    `  bytes/key: ${r.redis.bytesPerKeyUsedMemory?.toFixed(1) ?? '–'} (INFO used_memory, ${r.redis.usedMemoryMethod}), ${r.redis.bytesPerKeyMemoryUsage?.toFixed(1) ?? '–'} (MEMORY USAGE of the run's hashes), ${r.redis.marginalBytesPerKey?.toFixed(1) ?? '–'} per extra key + ${fmtInt(r.redis.bytesPerHash)} per hash (fit)`,
  );
  out.push(
    `stream: ${fmtInt(r.stream.distinct)} distinct events (${Object.entries(r.stream.byType)
      .map(([k, v]) => `${fmtInt(v)} ${k}s`)
      .join(
        ', ',
      )}), ${fmtInt(r.stream.malformed)} malformed, ${fmtInt(r.stream.messagesInTopic)} messages in the topic`,
  );
  out.push('', verificationLines(r.pass, r.checks, r.differences));
  return out.join('\n');
}
