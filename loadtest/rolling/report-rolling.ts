import type { Check, Latency, Target } from '../bench/bench-result.js';
import {
  escapeHtml,
  type Line,
  lineChart,
  type Mark,
  rates,
  type Span,
} from '../report/line-chart.js';
import { fmtInt, fmtMs, table, targetsTable, verificationLines } from '../report/report-table.js';
import type { RestartPhase } from './rolling-options.js';

export interface DrainStepTime {
  readonly step: string;
  readonly ms: number;
}

/** A partition assignment an instance logged ('partitions assigned'), in seconds from the signal. */
export interface AssignmentSeen {
  readonly at: number;
  readonly instance: string;
  readonly partitions: readonly number[];
}

/** One restart of one instance: the old process's exit, the replacement's start, the lag. */
export interface RestartFigures {
  readonly phase: RestartPhase;
  /** The old process ('1a') and its replacement ('1b'). */
  readonly instance: string;
  readonly replacement: string;
  readonly signal: 'SIGTERM' | 'SIGKILL';
  /** Seconds on the run's time axis (since the load began). */
  readonly at: number;
  /** '0', '1', or the signal that ended the process. */
  readonly exit: string;
  /** Signal → the old process's exit. */
  readonly drainSeconds: number;
  /** From the old process's log: the signal seen, each drain step, 'drain finished' (from the signal). */
  readonly signalSeenSeconds?: number;
  readonly drainSteps: readonly DrainStepTime[];
  readonly drainFinishedSeconds?: number;
  /** Signal → the replacement's 'adgate ready' (its /readyz turns 200). */
  readonly readySeconds?: number;
  /** Signal → the replacement's first non-empty partition assignment. */
  readonly partitionsSeconds?: number;
  readonly lagAtSignal: number;
  readonly maxLag: number;
  readonly maxLagSeconds: number;
  /** When the max lag was sampled, in seconds from the signal. */
  readonly maxLagAfter: number;
  /** Signal → the lag back under the threshold for good (within the window); absent: not recovered. */
  readonly recoverySeconds?: number;
  readonly lagNeverAboveThreshold: boolean;
  /** From the signal to the next restart (or the end of the phase). */
  readonly windowSeconds: number;
  readonly retries503: number;
  readonly retriesRefused: number;
  /** Ack times (ms) of the first requests the replacement acknowledged after its 'adgate ready'. */
  readonly replacementFirstAcksMs: readonly number[];
  readonly assignments: readonly AssignmentSeen[];
  /** Warnings and errors any instance logged in the window, counted by instance, level and message. */
  readonly problems: readonly { readonly line: string; readonly count: number }[];
}

export interface PhaseSummary {
  readonly name: 'warm-up' | RestartPhase;
  readonly label: string;
  /** Seconds on the run's time axis. */
  readonly from: number;
  readonly to: number;
  readonly offeredPerSecond: number;
  readonly maxLag: number;
  readonly maxLagSeconds: number;
  readonly medianLag: number;
  readonly retries503: number;
  readonly retriesRefused: number;
  readonly httpAck: Latency;
  readonly machineBusy: number;
  readonly restarts: readonly RestartFigures[];
}

export interface FinalStop {
  readonly instance: string;
  readonly exit: string;
  readonly drainSeconds: number;
  readonly drainSteps: readonly DrainStepTime[];
}

export interface RollingResult {
  readonly version: 1;
  readonly kind: 'rolling-restart';
  readonly pass: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly options: Record<string, unknown>;
  readonly machine: {
    readonly cpus: number;
    readonly loadAverageAtStart: readonly number[];
    readonly loadAverageAtEnd: readonly number[];
    readonly busyDuringLoad: number;
    readonly node: string;
    readonly note: string;
  };
  readonly gateway: {
    readonly instances: number;
    readonly partitions: number;
    readonly drainTimeoutMs: number;
    readonly sessionTimeoutMs: string;
    readonly batchMaxEvents: string;
    readonly env: Record<string, string>;
  };
  readonly names: Record<string, string>;
  readonly rate: number;
  readonly lagThresholdEvents: number;
  readonly stream: {
    readonly distinct: number;
    readonly byType: Record<string, number>;
    readonly malformed: number;
    readonly messagesInTopic: number;
    readonly requests: number;
    readonly lateSends: number;
    readonly noneInRotation: number;
  };
  readonly phases: readonly PhaseSummary[];
  readonly finalDrain: {
    readonly drained: boolean;
    readonly seconds: number;
    readonly lag: number;
  };
  readonly finalStops: readonly FinalStop[];
  readonly checks: readonly Check[];
  readonly differences: readonly string[];
  readonly targets: readonly Target[];
  /** Seconds since the load began; lag = produced − committed. */
  readonly series: readonly {
    readonly t: number;
    readonly produced: number;
    readonly committed: number;
    readonly lag: number;
  }[];
  readonly retrySeries: readonly {
    readonly t: number;
    readonly instance: number;
    readonly status: number;
  }[];
  /** Every request acknowledged on its first send: when, how long (retries included), by whom. */
  readonly ackSeries: readonly {
    readonly t: number;
    readonly ms: number;
    readonly instance: number;
  }[];
  readonly spans: readonly Span[];
  readonly files: Record<string, string>;
}

const secs = (s: number | undefined, digits = 1): string =>
  s === undefined || !Number.isFinite(s) ? '–' : `${s.toFixed(digits)} s`;
const list = (values: readonly string[]): string => (values.length > 0 ? values.join(', ') : '–');

function phaseRow(p: PhaseSummary): string[] {
  const restarts = p.restarts;
  return [
    p.label,
    fmtInt(p.maxLag),
    p.maxLagSeconds.toFixed(2),
    list(restarts.map((r) => secs(r.drainSeconds))),
    list(restarts.map((r) => r.exit)),
    list(restarts.map((r) => `${secs(r.readySeconds)} / ${secs(r.partitionsSeconds)}`)),
    list(
      restarts.map((r) =>
        r.lagNeverAboveThreshold
          ? 'never above'
          : r.recoverySeconds === undefined
            ? 'NOT back'
            : secs(r.recoverySeconds),
      ),
    ),
    `${fmtInt(p.retries503 + p.retriesRefused)} (${fmtInt(p.retries503)} / ${fmtInt(p.retriesRefused)})`,
    fmtMs(p.httpAck.p99),
    `${(p.machineBusy * 100).toFixed(0)}%`,
  ];
}

function drainLine(
  r: { instance: string; exit: string; drainSeconds: number } & Partial<RestartFigures>,
): string {
  const steps = (r.drainSteps ?? [])
    .map((s) => `${s.step.split(':')[0]} ${fmtInt(s.ms)} ms`)
    .join(', ');
  const seen =
    r.signalSeenSeconds === undefined ? '' : `signal seen +${secs(r.signalSeenSeconds, 2)}; `;
  const finished =
    r.drainFinishedSeconds === undefined
      ? ''
      : `; drain finished +${secs(r.drainFinishedSeconds, 2)}`;
  return `  ${r.instance}: ${seen}${steps || 'no drain step logged'}${finished}; exit ${r.exit} +${secs(r.drainSeconds, 2)}`;
}

/** The plain table printed at the end of a run. */
export function renderRollingTable(r: RollingResult): string {
  const out: string[] = [];
  out.push(
    `adgate rolling restart, ${fmtInt(r.rate)} events/s over HTTP, seed ${String(r.options.seed)}, ${r.startedAt}: ${r.pass ? 'PASS' : 'FAIL'}`,
  );
  out.push(
    `machine: ${r.machine.cpus} CPUs, load average ${r.machine.loadAverageAtStart.map((n) => n.toFixed(2)).join(' ')} at start, ${(r.machine.busyDuringLoad * 100).toFixed(0)}% busy during the load. ${r.machine.note}`,
  );
  out.push(
    `gateway: ${r.gateway.instances} instances (ingress + sink), ${r.gateway.partitions} partitions, ADGATE_DRAIN_TIMEOUT_MS ${r.gateway.drainTimeoutMs}, session timeout ${r.gateway.sessionTimeoutMs} ms, batch max ${r.gateway.batchMaxEvents} events; lag threshold ${fmtInt(r.lagThresholdEvents)} events (${(r.lagThresholdEvents / r.rate).toFixed(2)} s)`,
  );
  out.push('');
  out.push('targets (shown, never asserted)');
  out.push(targetsTable(r.targets));
  out.push('');
  out.push('phases: drain vs hard kill (one value per restart, in order)');
  out.push(
    table([
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
    ]),
  );
  out.push('');
  out.push('restarts');
  const restarts = r.phases.flatMap((p) => p.restarts);
  out.push(
    table([
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
    ]),
  );
  const drains = restarts.filter((x) => x.signal === 'SIGTERM');
  if (drains.length > 0 || r.finalStops.length > 0) {
    out.push('');
    out.push('drain steps (from each gateway\'s "drain step done" lines; times from the SIGTERM)');
    for (const d of drains) out.push(drainLine(d));
    for (const f of r.finalStops) out.push(`${drainLine(f)} (final stop, load over)`);
  }
  const problems = restarts.flatMap((x) =>
    x.problems.map((p) => `  ${x.signal} ${x.instance}: ${p.count} × ${p.line}`),
  );
  if (problems.length > 0) {
    out.push('');
    out.push('warnings and errors the gateways logged during each restart');
    out.push(...problems.slice(0, 30));
    if (problems.length > 30) out.push(`  … and ${problems.length - 30} more`);
  }
  out.push('');
  out.push(
    `stream: ${fmtInt(r.stream.distinct)} distinct events, ${fmtInt(r.stream.malformed)} malformed, ${fmtInt(r.stream.messagesInTopic)} messages in the topic, ${fmtInt(r.stream.requests)} requests (${fmtInt(r.stream.lateSends)} left > 100 ms late; ${fmtInt(r.stream.noneInRotation)} attempts found no instance in rotation)`,
  );
  out.push(
    `final drain: ${r.finalDrain.drained ? 'committed the topic end' : `NOT drained, lag ${fmtInt(r.finalDrain.lag)}`} ${secs(r.finalDrain.seconds)} after the load stopped`,
  );
  out.push('', verificationLines(r.pass, r.checks, r.differences));
  return out.join('\n');
}

/** Retries per second, by cause, from the retry records. */
function retryLines(r: RollingResult): Line[] {
  const end = Math.ceil(Math.max(1, ...r.series.map((s) => s.t)));
  const bins503 = new Array<number>(end + 1).fill(0);
  const binsRefused = new Array<number>(end + 1).fill(0);
  for (const x of r.retrySeries) {
    const i = Math.min(end, Math.max(0, Math.floor(x.t)));
    const bins = x.status === 503 ? bins503 : binsRefused;
    bins[i] = (bins[i] ?? 0) + 1;
  }
  return [
    { label: '503', color: '#ee854a', points: bins503.map((v, i) => [i + 0.5, v] as const) },
    {
      label: 'refused / reset',
      color: '#d65f5f',
      points: binsRefused.map((v, i) => [i + 0.5, v] as const),
    },
  ];
}

/** A self-contained HTML page: lag over time with the restarts marked, throughput, retries, the table. */
export function renderRollingHtml(r: RollingResult): string {
  const marks: Mark[] = [];
  for (const x of r.phases.flatMap((p) => p.restarts)) {
    marks.push({
      at: x.at,
      label: `${x.signal} ${x.instance}`,
      color: x.signal === 'SIGTERM' ? '#c47a00' : '#cf222e',
    });
    if (x.partitionsSeconds !== undefined) {
      marks.push({
        at: x.at + x.partitionsSeconds,
        label: `${x.replacement} has partitions`,
        color: '#1a7f37',
        dashed: true,
      });
    }
  }
  const lag = lineChart(
    'Consumer lag in seconds of traffic: (Σ high watermarks − Σ committed offsets) ÷ offered rate',
    'seconds of traffic',
    [
      {
        label: 'lag',
        color: '#956cb4',
        points: r.series.map((s) => [s.t, s.lag / r.rate] as const),
      },
    ],
    r.spans,
    {
      marks,
      guides: [
        { value: 2, label: 'target ≤ 2 s', color: '#cf222e' },
        {
          value: r.lagThresholdEvents / r.rate,
          label: 'recovered under',
          color: '#888888',
        },
      ],
    },
  );
  const lagEvents = lineChart(
    'Consumer lag in messages',
    'messages',
    [{ label: 'lag', color: '#956cb4', points: r.series.map((s) => [s.t, s.lag] as const) }],
    r.spans,
    { marks },
  );
  const throughput = lineChart(
    'Into the topic and committed by the group (1-s windows)',
    'messages/s',
    [
      {
        label: 'produced (topic end)',
        color: '#4878d0',
        points: rates(
          r.series.map((s) => [s.t, s.produced] as const),
          1,
        ),
      },
      {
        label: 'group offsets committed',
        color: '#d65f5f',
        points: rates(
          r.series.map((s) => [s.t, s.committed] as const),
          1,
        ),
      },
    ],
    r.spans,
    { marks },
  );
  const slowest = new Map<number, number>();
  for (const a of r.ackSeries) {
    const second = Math.floor(a.t);
    slowest.set(second, Math.max(slowest.get(second) ?? 0, a.ms));
  }
  const acks = lineChart(
    'HTTP ack time, slowest request of each second (from the first send; retries included)',
    'ms',
    [
      {
        label: 'slowest ack',
        color: '#4878d0',
        points: [...slowest].sort((a, b) => a[0] - b[0]).map(([s, ms]) => [s + 0.5, ms] as const),
      },
    ],
    r.spans,
    { marks },
  );
  const retries = lineChart(
    'HTTP attempts sent again, per second, by cause',
    'retries/s',
    retryLines(r),
    r.spans,
    { marks },
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>adgate rolling restart ${escapeHtml(r.startedAt)} ${r.pass ? 'PASS' : 'FAIL'}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; } h1 .pass { color: #1a7f37; } h1 .fail { color: #cf222e; }
pre { background: #f6f8fa; padding: 12px; overflow-x: auto; font-size: 12px; }
svg { display: block; margin: 16px 0; }
svg .title { font-size: 13px; font-weight: 600; } svg .axis { font-size: 11px; fill: #555; }
svg .band { font-size: 11px; fill: #777; } svg .grid { stroke: #e4e4e4; }
</style></head><body>
<h1>adgate rolling restart at ${escapeHtml(fmtInt(r.rate))} events/s: <span class="${r.pass ? 'pass' : 'fail'}">${r.pass ? 'PASS' : 'FAIL'}</span></h1>
<p>Vertical lines: the signal to an instance (orange SIGTERM, red SIGKILL) and the moment its replacement owned partitions (green, dashed).</p>
${lag}
${lagEvents}
${throughput}
${acks}
${retries}
<pre>${escapeHtml(renderRollingTable(r))}</pre>
</body></html>
`;
}
