import { postgresCheck } from '../../testkit/verify-outcome.js';
import type { CeilingResult } from '../ceilings/kafka-perf.js';
import type { RunOutcome } from '../common/bench-run.js';
import type { PhaseLoad } from '../load/drive-load.js';
import { type Scrape, sinkOutcomes } from '../measure/measure-metrics.js';
import { fmtInt, fmtMs } from '../report/report-table.js';
import type { BacklogFigures, BenchResult, Check, PhaseFigures, Target } from './bench-result.js';

/** Every PASS/FAIL check of a bench run (loadtest/README.md, "Verification"). */
export function benchChecks(
  outcome: RunOutcome,
  expectedDistinct: number,
  loads: readonly PhaseLoad[],
  phases: readonly PhaseFigures[],
  finalScrape: Scrape,
  exit: { code: number | null; signal: NodeJS.Signals | null },
): Check[] {
  const { verdict, messagesInTopic, dlqMessages } = outcome;
  const sum = (f: (l: PhaseLoad) => number) => loads.reduce((a, l) => a + f(l), 0);
  const kafkaMalformed = sum((l) => l.kafka.malformed);
  const kafkaRetriedMalformed = sum((l) => l.kafka.retriedMalformed);
  const httpMalformed = sum((l) => l.malformedHttp);
  const httpRejected = sum((l) => l.http.rejected);
  const httpFailed = sum((l) => Object.values(l.http.failed).reduce((a, b) => a + b, 0));
  const kafkaFailed = sum((l) => l.kafka.failed);
  const outcomes = sinkOutcomes(finalScrape);
  return [
    postgresCheck(expectedDistinct, verdict),
    {
      name: 'DLQ holds every malformed message sent via Kafka',
      expected:
        kafkaRetriedMalformed > 0
          ? `${fmtInt(kafkaMalformed)}..${fmtInt(kafkaMalformed + kafkaRetriedMalformed)}`
          : fmtInt(kafkaMalformed),
      actual: fmtInt(dlqMessages),
      ok: dlqMessages >= kafkaMalformed && dlqMessages <= kafkaMalformed + kafkaRetriedMalformed,
    },
    {
      name: 'HTTP rejected every malformed event it was sent (202/422 bodies)',
      expected: fmtInt(httpMalformed),
      actual: fmtInt(httpRejected),
      ok: httpRejected === httpMalformed,
    },
    {
      name: 'no request or send given up on',
      expected: '0',
      actual: `${httpFailed} HTTP, ${kafkaFailed} Kafka`,
      ok: httpFailed === 0 && kafkaFailed === 0,
    },
    {
      name: 'sink accounted for every message (inserted + duplicate + dlq)',
      expected: fmtInt(messagesInTopic),
      actual: `${fmtInt(outcomes.total)} (${fmtInt(outcomes.inserted)} + ${fmtInt(outcomes.duplicate)} + ${fmtInt(outcomes.dlq)})`,
      ok: outcomes.total === messagesInTopic,
    },
    {
      name: 'sink inserted = rows in ad_events',
      expected: fmtInt(verdict.actual.distinct),
      actual: fmtInt(outcomes.inserted),
      ok: outcomes.inserted === verdict.actual.distinct,
    },
    // Backlog mode has no phases: its own check says whether the sink drained.
    ...(phases.length === 0
      ? []
      : [
          {
            name: 'sink drained (committed = topic end) after every phase',
            expected: 'yes',
            actual: phases
              .map((p) => (p.drain.drained ? 'yes' : `no (lag ${p.drain.lag})`))
              .join(', '),
            ok: phases.every((p) => p.drain.drained),
          },
        ]),
    {
      name: 'gateway drained on SIGTERM and exited 0',
      expected: 'exit 0',
      actual: `exit ${String(exit.code)}${exit.signal ? ` (${exit.signal})` : ''}`,
      ok: exit.code === 0,
    },
  ];
}

/** The stage ceilings actually measured (Kafka produce, consume, COPY, Redis SET), diagnoses excluded. */
export function stageCeilings(ceilings: readonly CeilingResult[]): CeilingResult[] {
  return ceilings.filter((c) => c.perSecond > 0 && !c.diagnosis);
}

/** The slowest stage ceiling actually measured (diagnoses excluded). */
export function slowestCeiling(ceilings: readonly CeilingResult[]): CeilingResult | undefined {
  return stageCeilings(ceilings).reduce<CeilingResult | undefined>(
    (min, c) => (min === undefined || c.perSecond < min.perSecond ? c : min),
    undefined,
  );
}

/** What a run's figures are compared with: the targets, reported met or not, never asserted. */
export interface TargetInputs {
  readonly pass: boolean;
  readonly sustained: number;
  readonly ratioToBaseline: number | undefined;
  readonly ratioToSlowest: number | undefined;
  readonly ratioToPipeline: number | undefined;
  readonly slowest: CeilingResult | undefined;
  readonly main: PhaseFigures | undefined;
  readonly half: PhaseFigures | undefined;
  readonly backlog: BacklogFigures | undefined;
  readonly peakRss: number | undefined;
  /** peakRss with the processes' shared file pages counted once: shown beside it, not judged. */
  readonly peakResident: number | undefined;
  readonly redis: BenchResult['redis'];
}

/** Each target once, in both modes: a figure the run's mode does not measure shows '–'. */
export function benchTargets(x: TargetInputs): Target[] {
  const { main, half, backlog, redis } = x;
  const used = redis.bytesPerKeyUsedMemory;
  const orNone = <T>(value: T | undefined, met: (v: T) => boolean) =>
    value === undefined ? undefined : met(value);
  const verdict = x.pass ? 'PASS' : 'FAIL';
  const mainUs = main?.cpuPerMessageUs.gateway;
  const backlogUs = backlog?.cpuPerMessageUs.gateway;
  const pct = (r: number | undefined) => (r === undefined ? '–' : `${(r * 100).toFixed(0)}%`);
  return [
    {
      name: 'sustained end-to-end msg/s, with PASS',
      target: '≥ 35,000',
      value: main ? `${fmtInt(main.committedPerSecond)} (${verdict})` : '–',
      met: main ? x.pass && main.committedPerSecond >= 35_000 : undefined,
    },
    {
      name: 'backlog drain msg/s, sink alone, with PASS',
      target: '≥ 55,000',
      value: backlog ? `${fmtInt(backlog.perSecond)} (${verdict})` : '–',
      met: backlog ? x.pass && backlog.perSecond >= 55_000 : undefined,
    },
    {
      name: 'gateway CPU µs per committed message (whole instance)',
      target: '≤ 20',
      value: mainUs === undefined ? '–' : mainUs.toFixed(1),
      met: orNone(mainUs, (us) => us <= 20),
    },
    {
      name: 'sink CPU µs per message, backlog mode',
      target: '≤ 12',
      value: backlogUs === undefined ? '–' : backlogUs.toFixed(1),
      met: orNone(backlogUs, (us) => us <= 12),
    },
    {
      name: 'HTTP ack p99 at half the max rate',
      target: '≤ 50 ms',
      value: fmtMs(half?.httpAck.p99),
      met: orNone(half?.httpAck.p99, (ms) => ms <= 50),
    },
    {
      name: 'event→commit p99 at half the max rate',
      target: '≤ 500 ms',
      value: fmtMs(half?.eventToCommit.p99),
      met: orNone(half?.eventToCommit.p99, (ms) => ms <= 500),
    },
    {
      name: 'peak RSS, all of the instance (sampled Σ VmRSS)',
      target: '≤ 300 MB',
      value:
        x.peakRss === undefined
          ? '–'
          : `${x.peakRss.toFixed(0)} MB${x.peakResident === undefined ? '' : ` (file pages once ${x.peakResident.toFixed(0)})`}`,
      met: orNone(x.peakRss, (mb) => mb <= 300),
    },
    {
      name: 'adgate ÷ pipeline ceiling',
      target: '≥ 60%',
      value: pct(x.ratioToPipeline),
      met: orNone(x.ratioToPipeline, (r) => r >= 0.6),
    },
    {
      name: `adgate ÷ slowest ceiling${x.slowest ? ` (${x.slowest.name})` : ''}`,
      target: '≥ 70%',
      value: pct(x.ratioToSlowest),
      met: orNone(x.ratioToSlowest, (r) => r >= 0.7),
    },
    {
      name: 'adgate ÷ per-event baseline',
      target: '≥ 20×',
      value: x.ratioToBaseline === undefined ? '–' : `${x.ratioToBaseline.toFixed(1)}×`,
      met: orNone(x.ratioToBaseline, (r) => r >= 20),
    },
    {
      name: 'Redis bytes per dedup key (INFO used_memory)',
      target: '≤ 40',
      value: `${used?.toFixed(1) ?? '–'} (MEMORY USAGE ${redis.bytesPerKeyMemoryUsage?.toFixed(1) ?? '–'}, marginal ${redis.marginalBytesPerKey?.toFixed(1) ?? '–'})`,
      // Zero or less is no measurement: something else freed memory meanwhile.
      met: used === undefined || used <= 0 ? undefined : used <= 40,
    },
  ];
}

/** A hint at what limited the main phase: the sink, the ingress or load generator, the machine. */
export function limitedBy(main: PhaseFigures): string {
  const limits: string[] = [];
  if (main.pausedSeconds > 0.2 * main.windowSeconds)
    limits.push('the sink (the load paused at --max-lag)');
  else if (main.maxLag > Math.max(1_000, main.committedPerSecond))
    limits.push('the sink (lag grew)');
  else
    limits.push(
      'the ingress or the load generator (the sink kept up: lag under 1 s of throughput)',
    );
  if (main.machineBusy >= 0.9)
    limits.push(`the machine's CPU (${(main.machineBusy * 100).toFixed(0)}% busy)`);
  return limits.join('; ');
}
