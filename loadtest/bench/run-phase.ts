import type { ProcessRole } from '../../testkit/process-tree.js';
import { bucketQuantile, histogramDelta } from '../../testkit/prometheus.js';
import { sleep } from '../common/say.js';
import { driveLoad, type PhaseLoad } from '../load/drive-load.js';
import type { HttpLoad } from '../load/http-load.js';
import type { KafkaLoad } from '../load/kafka-load.js';
import type { Preparation, PreparedStream } from '../load/prepared-stream.js';
import { committedRate, producedRate } from '../measure/measure-lag.js';
import {
  histogram,
  latencyOf,
  rateBetween,
  type Scrape,
  scrapeMetrics,
  sumOf,
} from '../measure/measure-metrics.js';
import type { ProcessSampler } from '../measure/measure-process.js';
import type { Span } from '../report/line-chart.js';
import { fmtInt, fmtMs } from '../report/report-table.js';
import type { BenchOptions } from './bench-options.js';
import type { GatewayRoles, Latency, PhaseFigures } from './bench-result.js';
import type { GatewayUnderTest } from './gateway-under-test.js';

/** What the phases of one run share, and what they leave behind for the report. */
export interface PhaseRunner {
  readonly options: BenchOptions;
  readonly gut: GatewayUnderTest;
  /** The stream, generated and serialised before each phase's timed window. */
  readonly router: PreparedStream;
  readonly http: HttpLoad | undefined;
  readonly kafkaLoad: KafkaLoad | undefined;
  readonly say: (message: string) => void;
  /** The gateway's /metrics as of the end of the last phase (or its start). */
  lastScrape: Scrape;
  readonly phases: PhaseFigures[];
  readonly loads: PhaseLoad[];
  /** Each phase and drain on the report's time axis, in seconds. */
  readonly spans: Span[];
}

/** One phase as it ran: the load, this process's CPU, the drain that followed, the scrapes around it. */
interface PhaseRun {
  readonly load: PhaseLoad;
  readonly cpu: NodeJS.CpuUsage;
  readonly endedAt: number;
  readonly drain: { drained: boolean; waitedMs: number; lag: number };
  readonly drainedAt: number;
  readonly before: Scrape;
  readonly after: Scrape;
  readonly preparation: Preparation;
  /** The phase emptied the prepared pool before its duration: it ended early. */
  readonly ranOut: boolean;
}

/** Load at `rate` for `seconds`, then the sink's drain; the phase's figures. */
export async function runPhase(
  runner: PhaseRunner,
  name: string,
  rate: number | 'max',
  seconds: number,
): Promise<PhaseFigures> {
  const preparation = await prepareFor(runner, rate, seconds);
  runner.say(
    `${name}: prepared ${fmtInt(preparation.messages)} messages in ${preparation.seconds.toFixed(1)} s before the window (${fmtInt(preparation.pooled)} ready)`,
  );
  runner.say(`${name}: ${rate === 'max' ? 'max rate' : `${fmtInt(rate)} msg/s`} for ${seconds} s`);
  const ran = await driveAndDrain(runner, name, rate, seconds, preparation);
  if (ran.ranOut) {
    runner.say(
      `${name}: WARNING the prepared messages ran out after ${((ran.endedAt - ran.load.startedAtMs) / 1000).toFixed(1)} s: the phase ended early (raise --prepare)`,
    );
  }
  const rel = (t: number) => (t - runner.gut.startedAt) / 1000;
  runner.spans.push({ name, from: rel(ran.load.startedAtMs), to: rel(ran.endedAt) });
  runner.spans.push({ name: 'drain', from: rel(ran.endedAt), to: rel(ran.drainedAt) });
  const figures = phaseFigures(runner, name, rate, ran);
  runner.say(
    `${name}: committed ${fmtInt(figures.committedPerSecond)} msg/s, HTTP ack p99 ${fmtMs(figures.httpAck.p99)}, event→commit p99 ${fmtMs(figures.eventToCommit.p99)}; drained ${ran.drain.drained ? 'yes' : 'NO'} in ${figures.drain.seconds.toFixed(1)} s`,
  );
  runner.phases.push(figures);
  runner.loads.push(ran.load);
  return figures;
}

/**
 * Enough of the stream for the phase, before its window: at a target rate,
 * its messages and a fifth more; at the max rate, --prepare messages.
 */
function prepareFor(
  runner: PhaseRunner,
  rate: number | 'max',
  seconds: number,
): Promise<Preparation> {
  const { options } = runner;
  const wanted = rate === 'max' ? options.prepare : Math.ceil(rate * seconds * 1.2);
  return runner.router.prepare(wanted + options.chunkSize);
}

async function driveAndDrain(
  runner: PhaseRunner,
  name: string,
  rate: number | 'max',
  seconds: number,
  preparation: Preparation,
): Promise<PhaseRun> {
  const { options, gut } = runner;
  runner.router.ranOut = false;
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
  runner.router.settle();
  const ranOut = runner.router.ranOut;
  const endedAt = load.endedAtMs ?? Date.now();
  gut.progress.stage = `${name} drain`;
  const drain = await gut.lag.waitDrained(options.drainTimeout * 1000);
  const drainedAt = Date.now();
  // Let the samplers see the drained state before the window closes.
  await sleep(options.sampleEveryMs * 2);
  gut.progress.stage = '';
  const after = await scrapeMetrics(gut.gateway.url);
  runner.lastScrape = after;
  return { load, cpu, endedAt, drain, drainedAt, before, after, preparation, ranOut };
}

function phaseFigures(
  runner: PhaseRunner,
  name: string,
  rate: number | 'max',
  ran: PhaseRun,
): PhaseFigures {
  const figures = measuredFigures(runner, name, rate, ran);
  return { ...figures, cpuPerMessageUs: cpuPerMessage(figures) };
}

/**
 * Each CPU figure of the window ÷ the committed msg/s: where one message's
 * CPU goes, the gateway split by role when it has workers.
 */
export function cpuPerMessage(
  p: Pick<
    PhaseFigures,
    'committedPerSecond' | 'gatewayRoles' | 'gatewayCores' | 'benchCores' | 'serviceCores'
  >,
): Record<string, number> {
  const us = (cores: number) =>
    p.committedPerSecond > 0 ? (cores * 1e6) / p.committedPerSecond : 0;
  const r = p.gatewayRoles;
  const roles: Record<string, number> = r.split
    ? { supervisor: us(r.supervisor), ingress: us(r.ingress), sink: us(r.sink), other: us(r.other) }
    : { gatewayOneProcess: us(r.oneProcess) };
  return {
    gateway: us(p.gatewayCores),
    ...roles,
    loadGenerator: us(p.benchCores),
    postgres: us(p.serviceCores.postgres),
    redis: us(p.serviceCores.redis),
    kafka: us(p.serviceCores.kafka),
  };
}

function measuredFigures(
  runner: PhaseRunner,
  name: string,
  rate: number | 'max',
  ran: PhaseRun,
): PhaseFigures {
  const { lag, sink, proc, services } = runner.gut;
  const { load, endedAt: ended, before, after, drain } = ran;
  const phaseSeconds = (ended - load.startedAtMs) / 1000;
  const warmupMs = Math.min(runner.options.warmup * 1000, Math.max(0, (phaseSeconds - 1) * 1000));
  const from = load.startedAtMs + warmupMs;
  const windowSeconds = Math.max(0.001, (ended - from) / 1000);
  const windowSamples = lag.samples.filter((s) => s.t >= load.startedAtMs && s.t <= ran.drainedAt);
  return {
    name,
    target: rate,
    startedAt: load.startedAtMs,
    endedAt: ended,
    windowSeconds: (ended - from) / 1000,
    preparation: ran.preparation,
    ranOutOfPrepared: ran.ranOut,
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
    gatewayCores: proc.cpuSecondsBetween(from, ended) / windowSeconds,
    gatewayRoles: roleCores(proc, from, ended),
    benchCores: (ran.cpu.user + ran.cpu.system) / 1e6 / Math.max(0.001, phaseSeconds),
    loadGeneratorUsPerSent: (ran.cpu.user + ran.cpu.system) / Math.max(1, load.items),
    serviceCores: services.coresBetween(from, ended),
    cpuPerMessageUs: {},
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

/**
 * The gateway's cores by role over a window: split only when the tree has
 * had worker processes (`--worker ingress|sink`); one process doing both
 * roles is reported as that, never as a made-up split.
 */
export function roleCores(proc: ProcessSampler, from: number, to: number): GatewayRoles {
  const seconds = Math.max(0.001, (to - from) / 1000);
  // Whether the instance has workers at all, not only in this window's
  // samples: a window shorter than a sample interval must not read as one process.
  const most = proc.lastReading?.maxProcesses;
  const workers = most !== undefined && most.ingress + most.sink > 0;
  const cores = (role: ProcessRole) => proc.cpuSecondsBetween(from, to, role) / seconds;
  if (!workers) return { split: false, oneProcess: cores('supervisor') };
  return {
    split: true,
    supervisor: cores('supervisor'),
    ingress: cores('ingress'),
    sink: cores('sink'),
    other: cores('other'),
  };
}

/** A gateway latency histogram's quantiles over a phase, in milliseconds. */
function gatewayLatency(before: Scrape, after: Scrape, name: string): Latency {
  const delta = histogramDelta(histogram(before, name), histogram(after, name));
  const count = delta.at(-1)?.count ?? 0;
  if (count <= 0) return { count: 0 };
  const lastFinite = delta.filter((b) => Number.isFinite(b.le)).at(-1);
  const atLeast: string[] = [];
  const ms = (label: string, q: number) => {
    // Past the last finite bound, the quantile is only known to be at least that bound.
    if (lastFinite !== undefined && lastFinite.count < q * count) atLeast.push(label);
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

function flushFigures(before: Scrape, after: Scrape): PhaseFigures['flushes'] {
  const d = (name: string) => sumOf(after, name) - sumOf(before, name);
  const count = d('adgate_sink_flush_seconds_count');
  const name = 'adgate_sink_flush_seconds';
  const p99 = bucketQuantile(histogramDelta(histogram(before, name), histogram(after, name)), 0.99);
  const stageMeanMs: Record<string, number> = {};
  for (const stage of SINK_STAGES) {
    const seconds =
      sumOf(after, 'adgate_sink_stage_seconds_sum', { stage }) -
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
