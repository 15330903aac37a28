import { pipelineCeiling } from '../../testkit/pipeline-ceiling.js';
import type { ProcessRole } from '../../testkit/process-tree.js';
import type { ExpectedTotals } from '../../testkit/stream/expected-totals.js';
import type { BaselineResult } from '../baseline/per-event-sink.js';
import type { CeilingResult } from '../ceilings/kafka-perf.js';
import { type BenchRun, machineFacts, type RunOutcome } from '../common/bench-run.js';
import type { Span } from '../report/line-chart.js';
import type { BenchOptions } from './bench-options.js';
import type { BacklogFigures, BenchResult, Check, PhaseFigures } from './bench-result.js';
import { benchTargets, limitedBy, slowestCeiling, stageCeilings } from './bench-verdict.js';
import type { BenchFiles, GatewayUnderTest } from './gateway-under-test.js';

/** Everything a finished bench run measured, before it becomes result.json. */
export interface BenchFacts {
  readonly run: BenchRun;
  readonly options: BenchOptions;
  readonly files: BenchFiles;
  readonly expected: ExpectedTotals;
  readonly outcome: RunOutcome;
  readonly checks: readonly Check[];
  readonly phases: readonly PhaseFigures[];
  readonly spans: readonly Span[];
  readonly backlog?: BacklogFigures;
  /** --tracing: what the gateway exported to the local receiver. */
  readonly tracing?: BenchResult['tracing'];
  readonly gut: GatewayUnderTest;
  readonly stopped: { exit: { code: number | null }; stopSeconds: number };
  readonly redis: BenchResult['redis'];
  readonly ceilings: readonly CeilingResult[];
  readonly baseline: BaselineResult | undefined;
}

/**
 * The figures compared with the targets: the sustained rate (the main
 * phase's, or the backlog drain's), its ratios to the baseline, the
 * slowest ceiling and the pipeline ceiling, the peak RSS of the tree.
 */
function headline(f: BenchFacts, main: PhaseFigures | undefined) {
  const sustained = main?.committedPerSecond ?? f.backlog?.perSecond ?? 0;
  const slowest = slowestCeiling(f.ceilings);
  const stages = stageCeilings(f.ceilings);
  const pipeline = pipelineCeiling(stages.map((c) => c.perSecond));
  const baselineRate = f.baseline?.perSecond ?? 0;
  const reading = f.gut.proc.lastReading;
  return {
    sustained,
    slowest,
    pipeline,
    pipelineStages: stages.map((c) => c.name),
    stagesMissing: f.ceilings.filter((c) => !c.diagnosis && !(c.perSecond > 0)).map((c) => c.name),
    ratioToBaseline: baselineRate > 0 && sustained > 0 ? sustained / baselineRate : undefined,
    ratioToSlowest: slowest && sustained > 0 ? sustained / slowest.perSecond : undefined,
    ratioToPipeline: pipeline !== undefined && sustained > 0 ? sustained / pipeline : undefined,
    peakRss: reading ? reading.peakRssBytes / 1048576 : undefined,
    peakResident: reading ? reading.peakResidentBytes / 1048576 : undefined,
  };
}

/** The time series on the report's axis (seconds since the gateway was ready). */
function series(gut: GatewayUnderTest) {
  const rel = (t: number) => (t - gut.startedAt) / 1000;
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
      const seconds = prev && s.t > prev.t ? (s.t - prev.t) / 1000 : 0;
      const rate = (a: number, b: number) => (seconds > 0 ? (a - b) / seconds : 0);
      const byRole = (role: ProcessRole) =>
        prev ? rate(s.cpuSecondsByRole[role], prev.cpuSecondsByRole[role]) : 0;
      const workers = s.processes.ingress + s.processes.sink > 0;
      return {
        t: rel(s.t),
        rssMb: s.rssBytes / 1048576,
        residentMb: s.residentBytes / 1048576,
        cores: prev ? rate(s.cpuSeconds, prev.cpuSeconds) : 0,
        ...(workers
          ? {
              roles: {
                supervisor: byRole('supervisor'),
                ingress: byRole('ingress'),
                sink: byRole('sink'),
              },
            }
          : {}),
      };
    }),
  };
}

export function assembleResult(f: BenchFacts): BenchResult {
  const { options, expected, outcome, gut } = f;
  const main = f.phases.find((p) => p.name === 'main');
  if (main === undefined && f.backlog === undefined) throw new Error('the main phase did not run');
  const pass = f.checks.every((c) => c.ok);
  const h = headline(f, main);
  const half = f.phases.find((p) => p.name === 'half');
  const reading = gut.proc.lastReading;
  return {
    version: 1,
    pass,
    mode: options.mode,
    startedAt: f.run.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    options: { ...options, nowIso: new Date(options.nowMs).toISOString() },
    machine: machineFacts(
      f.run,
      'Everything (Kafka, PostgreSQL, Redis, the gateway, this load generator) shares this machine; figures from a busy machine are noise.',
    ),
    names: { ...f.run.names },
    stream: {
      distinct: expected.distinct,
      byType: { ...expected.byType },
      malformed: expected.malformed,
      messagesInTopic: outcome.messagesInTopic,
    },
    checks: f.checks,
    differences: outcome.verdict.differences,
    phases: f.phases,
    sustainedPerSecond: h.sustained,
    limitedBy: main ? limitedBy(main) : 'backlog mode: the sink alone, catching up',
    gateway: {
      ...(h.peakRss === undefined ? {} : { peakRssMb: h.peakRss }),
      ...(h.peakResident === undefined ? {} : { peakResidentMb: h.peakResident }),
      ...(reading ? { hwmSumMb: reading.hwmSumBytes / 1048576 } : {}),
      ...(reading ? { processes: reading.maxProcesses } : {}),
      ...(reading ? { cpuSeconds: reading.cpuSeconds } : {}),
      exitCode: f.stopped.exit.code,
      stopSeconds: f.stopped.stopSeconds,
    },
    redis: f.redis,
    ceilings: f.ceilings,
    ...(h.slowest ? { slowestCeiling: h.slowest } : {}),
    ...(h.ratioToSlowest === undefined ? {} : { ratioToSlowestCeiling: h.ratioToSlowest }),
    ...(h.pipeline === undefined
      ? {}
      : {
          pipelineCeiling: h.pipeline,
          pipelineStages: h.pipelineStages,
          pipelineStagesMissing: h.stagesMissing,
        }),
    ...(h.ratioToPipeline === undefined ? {} : { ratioToPipelineCeiling: h.ratioToPipeline }),
    ...(f.backlog ? { backlog: f.backlog } : {}),
    ...(f.tracing ? { tracing: f.tracing } : {}),
    ...(f.baseline ? { baseline: f.baseline } : {}),
    ...(h.ratioToBaseline === undefined ? {} : { ratioToBaseline: h.ratioToBaseline }),
    targets: benchTargets({ ...h, pass, main, half, backlog: f.backlog, redis: f.redis }),
    ...series(gut),
    spans: f.spans,
    files: { ...f.files },
  };
}
