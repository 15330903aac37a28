#!/usr/bin/env node
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { type GatewayProcess, startGatewayProcess } from '../../testkit/gateway-process.js';
import { bucketQuantile, histogramDelta } from '../../testkit/prometheus.js';
import { ExpectedTotals } from '../../testkit/stream/expected-totals.js';
import { type ChunkedStreamOptions, generateChunks } from '../../testkit/stream/generate-stream.js';
import { StreamRouter } from '../../testkit/stream/route-stream.js';
import { postgresCheck, verifyTotals } from '../../testkit/verify-outcome.js';
import { runPerEventBaseline } from '../baseline/per-event-sink.js';
import { copyCeiling } from '../ceilings/copy-ceiling.js';
import {
  type CeilingResult,
  consumerCeiling,
  kafkaToolsAvailable,
  producerCeiling,
} from '../ceilings/kafka-perf.js';
import { redisCeiling } from '../ceilings/redis-ceiling.js';
import { sampleStream } from '../ceilings/sample-rows.js';
import { writePathCeiling } from '../ceilings/write-path.js';
import {
  type BenchNames,
  benchNames,
  createDatabase,
  createKafka,
  createTopics,
  dropDatabase,
  gatewayEnvFor,
  removeResources,
} from '../common/resources.js';
/**
 * The benchmark's entry point: `node dist/loadtest/bench/run-bench.js --help`.
 * Orchestrates one run: isolated resources, stage ceilings, the gateway in
 * a child process under load (max rate, then half of what it sustained),
 * drain, verification, the per-event baseline, the report.
 */
import { runBenchCli } from '../common/run-cli.js';
import { createSay, sleep } from '../common/say.js';
import { driveLoad, type PhaseLoad } from '../load/drive-load.js';
import { HttpLoad } from '../load/http-load.js';
import { KafkaLoad } from '../load/kafka-load.js';
import { committedRate, LagSampler, producedRate, topicEnd } from '../measure/measure-lag.js';
import {
  histogram,
  latencyOf,
  rateBetween,
  type Scrape,
  SinkSampler,
  scrapeMetrics,
  sinkOutcomes,
  sumOf,
} from '../measure/measure-metrics.js';
import { ProcessSampler, ServiceSampler } from '../measure/measure-process.js';
import {
  commandCalls,
  commandDelta,
  dedupFootprint,
  usedMemory,
  usedMemoryFreedByDeleting,
} from '../measure/measure-redis.js';
import { fmtInt, fmtMs } from '../report/report-table.js';
import { renderBenchHtml } from './bench-html.js';
import { type BenchOptions, helpText, parseOptions } from './bench-options.js';
import type { BenchResult, Check, Latency, PhaseFigures, Target } from './bench-result.js';
import { renderTable } from './bench-table.js';

const say = createSay();

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

/**
 * The commands the dedup store's scripts run (src/dedup/lua/): INFO
 * commandstats counts a script's inner calls under their own names.
 */
const DEDUP_COMMANDS = ['hexists', 'hset', 'pexpireat', 'hlen'];

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

/** Prints a progress line every few seconds while a phase or a drain is under way. */
class Progress {
  phase: PhaseLoad | undefined;
  stage = '';
  private timer: NodeJS.Timeout | undefined;
  private lastItems = 0;
  private lastCommitted = 0;
  private lastAt = performance.now();

  constructor(
    private readonly lag: LagSampler,
    private readonly sink: SinkSampler,
    private readonly process: ProcessSampler,
    private readonly everyMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.print(), this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private print(): void {
    if (this.stage === '') return;
    const now = performance.now();
    const seconds = Math.max(0.001, (now - this.lastAt) / 1000);
    const items = this.phase?.items ?? 0;
    const sample = this.lag.latest;
    const committed = this.sink.latest?.handled ?? 0;
    const sent = items >= this.lastItems ? items - this.lastItems : items;
    const proc = this.process.samples.at(-1);
    const samples = this.process.samples;
    const previous = samples[Math.max(0, samples.length - 1 - Math.round(this.everyMs / 500))];
    const cores =
      proc && previous && proc.t > previous.t
        ? (proc.cpuSeconds - previous.cpuSeconds) / ((proc.t - previous.t) / 1000)
        : 0;
    say(
      `${this.stage}: sent ${fmtInt(items)} (${fmtInt(sent / seconds)}/s) | committed ${fmtInt(committed)} (${fmtInt((committed - this.lastCommitted) / seconds)}/s) | lag ${fmtInt(sample ? sample.end - sample.committed : undefined)} | gateway ${fmtInt((proc?.rssBytes ?? 0) / 1048576)} MB, ${cores.toFixed(2)} cores | machine ${((proc?.machineBusy ?? 0) * 100).toFixed(0)}% busy`,
    );
    this.lastItems = items;
    this.lastCommitted = committed;
    this.lastAt = now;
  }
}

async function runCeilings(
  options: BenchOptions,
  names: BenchNames,
  stream: ChunkedStreamOptions,
  admin: ReturnType<ReturnType<typeof createKafka>['admin']>,
  redis: Redis,
  databaseUrl: string,
): Promise<CeilingResult[]> {
  const ceilings: CeilingResult[] = [];
  say(`ceilings: sampling ${fmtInt(options.ceilingSample)} messages of the stream`);
  const sample = sampleStream(stream, options.ceilingSample);
  if (kafkaToolsAvailable(options.kafkaLibs)) {
    await createTopics(admin, [names.ceilingTopic], options.partitions);
    const payloadFile = join(tmpdir(), `${names.base}-payloads.txt`);
    try {
      const produced = await producerCeiling({
        libs: options.kafkaLibs,
        brokers: options.kafkaBrokers,
        topic: names.ceilingTopic,
        records: options.ceilingRecords,
        seconds: options.ceilingSeconds,
        payloads: sample.payloads.slice(0, 20_000),
        payloadFile,
      });
      ceilings.push(produced);
      say(`ceiling kafka produce: ${fmtInt(produced.perSecond)}/s ${produced.problem ?? ''}`);
    } finally {
      await rm(payloadFile, { force: true });
    }
    const available = await topicEnd(admin, names.ceilingTopic);
    const consumed = await consumerCeiling({
      libs: options.kafkaLibs,
      brokers: options.kafkaBrokers,
      topic: names.ceilingTopic,
      group: `${names.base}.ceiling-consumer`,
      records: available,
      seconds: Math.max(10, options.ceilingSeconds * 4),
    });
    ceilings.push(consumed);
    say(`ceiling kafka consume: ${fmtInt(consumed.perSecond)}/s ${consumed.problem ?? ''}`);
    await admin.deleteTopics({ topics: [names.ceilingTopic] }).catch(() => undefined);
  } else {
    for (const name of ['kafka produce', 'kafka consume']) {
      ceilings.push({
        name,
        perSecond: 0,
        records: 0,
        seconds: 0,
        detail: '',
        problem: `no kafka-tools jar in ${options.kafkaLibs} (run scripts/stack.sh up)`,
      });
    }
  }
  const copy = await copyCeiling(databaseUrl, sample.rows, options.ceilingSeconds);
  ceilings.push(copy);
  say(`ceiling postgres COPY: ${fmtInt(copy.perSecond)} rows/s`);
  const set = await redisCeiling(
    redis,
    names.ceilingRedisPrefix,
    sample.rows,
    options.ceilingSeconds,
  );
  ceilings.push(set);
  say(`ceiling redis SET: ${fmtInt(set.perSecond)} keys/s`);
  const scratch = await createDatabase(options.pgAdminUrl, names.scratchDatabase);
  try {
    const writes = await writePathCeiling(
      scratch,
      sample.rows,
      streamDays(options.nowMs),
      options.ceilingSeconds,
    );
    ceilings.push(writes);
    say(`diagnosis, adgate writeEvents alone: ${fmtInt(writes.perSecond)} rows/s`);
  } finally {
    await dropDatabase(options.pgAdminUrl, names.scratchDatabase);
  }
  return ceilings;
}

/** Days (UTC) the stream's occurred_at fall on: the hour before --now. */
function streamDays(nowMs: number): string[] {
  const days = new Set<string>();
  for (let t = nowMs - 3_700_000; t <= nowMs + 60_000; t += 600_000) {
    days.add(new Date(t).toISOString().slice(0, 10));
  }
  return [...days];
}

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const startedAt = new Date();
  const outDir = join(options.outDir, startedAt.toISOString().replace(/[:.]/g, '-'));
  await mkdir(outDir, { recursive: true });
  const names = benchNames();
  const loadAtStart = loadavg();
  say(
    `adgate bench, ${options.mode} mode, seed ${options.seed}; ${cpus().length} CPUs, load average ${loadAtStart.map((n) => n.toFixed(2)).join(' ')}; run ${names.base}`,
  );
  const kafka = createKafka(options.kafkaBrokers);
  const admin = kafka.admin();
  await admin.connect();
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 2 });
  const stream: ChunkedStreamOptions = {
    seed: options.seed,
    duplicateShare: options.duplicates,
    malformedShare: options.malformed,
    outOfOrderShare: options.outOfOrder,
    campaigns: options.campaigns,
    ads: options.ads,
    publishers: options.publishers,
    nowMs: options.nowMs,
    chunkSize: options.chunkSize,
  };
  let gateway: GatewayProcess | undefined;
  let http: HttpLoad | undefined;
  let kafkaLoad: KafkaLoad | undefined;
  let pool: pg.Pool | undefined;
  let lagSampler: LagSampler | undefined;
  let procSampler: ProcessSampler | undefined;
  let serviceSampler: ServiceSampler | undefined;
  let sinkSampler: SinkSampler | undefined;
  let progress: Progress | undefined;
  const files = {
    json: join(outDir, 'result.json'),
    html: join(outDir, 'report.html'),
    gatewayLog: join(outDir, 'gateway.log'),
    ...(options.profile ? { profile: join(outDir, 'gateway.cpuprofile') } : {}),
  };
  try {
    say('setup: database, topics');
    const databaseUrl = await createDatabase(options.pgAdminUrl, names.database);
    await createTopics(admin, [names.topic, names.dlqTopic, names.deadTopic], options.partitions);

    const ceilings =
      options.ceilingSeconds > 0
        ? await runCeilings(options, names, stream, admin, redis, databaseUrl)
        : [];

    const redisBefore = await usedMemory(redis);
    const callsBefore = await commandCalls(redis);
    say('gateway: starting adgate serve');
    gateway = await startGatewayProcess({
      ...gatewayEnvFor(names, options, databaseUrl),
      ADGATE_DEDUP_REDIS_BUCKETS: String(options.dedupBuckets),
      ...(files.profile === undefined
        ? {}
        : {
            NODE_OPTIONS: `--import=${pathToFileURL(join(import.meta.dirname, 'profile-hook.js')).href}`,
            BENCH_PROFILE_FILE: files.profile,
          }),
      ...options.gatewayEnv,
    });
    const gatewayStarted = Date.now();
    const pid = gateway.child.pid;
    if (pid === undefined) throw new Error('the gateway process has no pid');
    procSampler = new ProcessSampler(pid, options.sampleEveryMs);
    procSampler.start();
    serviceSampler = new ServiceSampler(options.sampleEveryMs);
    serviceSampler.start();
    lagSampler = new LagSampler(admin, names.topic, names.group, options.sampleEveryMs);
    lagSampler.start();
    sinkSampler = new SinkSampler(gateway.url, options.sampleEveryMs);
    sinkSampler.start();
    progress = new Progress(lagSampler, sinkSampler, procSampler, options.progressEvery * 1000);
    progress.start();

    const expected = new ExpectedTotals();
    const router = new StreamRouter(generateChunks(stream), expected, {
      seed: options.seed,
      kafkaShare: options.kafkaShare,
      retryShare: options.retries,
      batchSize: options.batchSize,
      kafkaBatch: options.kafkaBatch,
    });
    http = options.kafkaShare < 1 ? new HttpLoad(gateway.url, options.connections) : undefined;
    kafkaLoad = options.kafkaShare > 0 ? new KafkaLoad(kafka, names.topic) : undefined;
    await kafkaLoad?.connect();

    const phases: PhaseFigures[] = [];
    const loads: PhaseLoad[] = [];
    const spans: { name: string; from: number; to: number }[] = [];
    const rel = (t: number) => (t - gatewayStarted) / 1000;
    let lastScrape = await scrapeMetrics(gateway.url);
    const lag = lagSampler;
    const sink = sinkSampler;
    const proc = procSampler;
    const services = serviceSampler;
    const prog = progress;
    const gw = gateway;

    const runPhase = async (name: string, rate: number | 'max', seconds: number) => {
      const before = lastScrape;
      const cpuBefore = process.cpuUsage();
      prog.stage = name;
      say(`${name}: ${rate === 'max' ? 'max rate' : `${fmtInt(rate)} msg/s`} for ${seconds} s`);
      const load = await driveLoad(
        router,
        http,
        kafkaLoad,
        {
          name,
          rate,
          durationMs: seconds * 1000,
          httpSlots: options.connections,
          kafkaSlots: options.kafkaInFlight,
          mayProceed: () => {
            const s = lag.latest;
            return s === undefined || s.end - s.committed <= options.maxLag;
          },
        },
        (p) => {
          prog.phase = p;
        },
      );
      const cpu = process.cpuUsage(cpuBefore);
      const ended = load.endedAtMs ?? Date.now();
      prog.stage = `${name} drain`;
      const drain = await lag.waitDrained(options.drainTimeout * 1000);
      const drainedAt = Date.now();
      // Let the samplers see the drained state before the window closes.
      await sleep(options.sampleEveryMs * 2);
      prog.stage = '';
      const after = await scrapeMetrics(gw.url);
      lastScrape = after;
      spans.push({ name, from: rel(load.startedAtMs), to: rel(ended) });
      spans.push({ name: 'drain', from: rel(ended), to: rel(drainedAt) });
      const phaseSeconds = (ended - load.startedAtMs) / 1000;
      const warmupMs = Math.min(options.warmup * 1000, Math.max(0, (phaseSeconds - 1) * 1000));
      const from = load.startedAtMs + warmupMs;
      const committed = rateBetween(sink.samples, (x) => x.handled, from, ended);
      const windowSamples = lag.samples.filter((s) => s.t >= load.startedAtMs && s.t <= drainedAt);
      const figures: PhaseFigures = {
        name,
        target: rate,
        startedAt: load.startedAtMs,
        endedAt: ended,
        windowSeconds: (ended - from) / 1000,
        offeredPerSecond: load.items / Math.max(0.001, phaseSeconds),
        producedPerSecond: producedRate(lag.samples, from, ended),
        committedPerSecond: committed,
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
        benchCores: (cpu.user + cpu.system) / 1e6 / Math.max(0.001, phaseSeconds),
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
      say(
        `${name}: committed ${fmtInt(figures.committedPerSecond)} msg/s, HTTP ack p99 ${fmtMs(figures.httpAck.p99)}, event→commit p99 ${fmtMs(figures.eventToCommit.p99)}; drained ${drain.drained ? 'yes' : 'NO'} in ${figures.drain.seconds.toFixed(1)} s`,
      );
      phases.push(figures);
      loads.push(load);
      return figures;
    };

    const main = await runPhase('main', options.rate, options.duration);
    if (options.halfDuration > 0) {
      await runPhase(
        'half',
        Math.max(1, Math.round(main.committedPerSecond / 2)),
        options.halfDuration,
      );
    }
    progress.stop();

    // Figures that need the gateway still running.
    const finalScrape = lastScrape;
    const outcomesTotal = sinkOutcomes(finalScrape).total;
    proc.sample();
    const footprint = await dedupFootprint(redis, names.redisPrefix);
    // The dedup keys' own memory: what deleting them frees. With --keep they
    // stay, and only the noisier delta across the whole run is left.
    const usedMemoryMethod = options.keep ? 'delta across the run' : 'freed by DEL';
    const dedupUsedBytes = options.keep
      ? (await usedMemory(redis)) - redisBefore
      : await usedMemoryFreedByDeleting(redis, `${names.redisPrefix}:dd:*`);
    const calls = commandDelta(callsBefore, await commandCalls(redis));
    const dedupCalls = DEDUP_COMMANDS.reduce((a, c) => a + (calls[c] ?? 0), 0);
    const scriptCalls = (calls.evalsha ?? 0) + (calls.eval ?? 0);
    say('gateway: SIGTERM (drain and exit)');
    sink.stop();
    const stopStarted = performance.now();
    const exit = await gw.stop('SIGTERM', options.drainTimeout * 1000 + 30_000).catch(() => ({
      code: null,
      signal: null,
    }));
    const stopSeconds = (performance.now() - stopStarted) / 1000;
    lag.stop();
    proc.stop();
    await writeFile(files.gatewayLog, gw.output());

    say('verify: PostgreSQL, DLQ, HTTP rejections, sink accounting');
    const messagesInTopic = await topicEnd(admin, names.topic);
    const dlqMessages =
      (await topicEnd(admin, names.dlqTopic)) + (await topicEnd(admin, names.deadTopic));
    pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    const verdict = await verifyTotals(pool, expected);
    const sum = (f: (l: PhaseLoad) => number) => loads.reduce((a, l) => a + f(l), 0);
    const kafkaMalformed = sum((l) => l.kafka.malformed);
    const kafkaRetriedMalformed = sum((l) => l.kafka.retriedMalformed);
    const httpMalformed = sum((l) => l.malformedHttp);
    const httpRejected = sum((l) => l.http.rejected);
    const httpFailed = sum((l) => Object.values(l.http.failed).reduce((a, b) => a + b, 0));
    const kafkaFailed = sum((l) => l.kafka.failed);
    const outcomes = sinkOutcomes(finalScrape);
    const checks: Check[] = [
      postgresCheck(expected.distinct, verdict),
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
      {
        name: 'sink drained (committed = topic end) after every phase',
        expected: 'yes',
        actual: phases.map((p) => (p.drain.drained ? 'yes' : `no (lag ${p.drain.lag})`)).join(', '),
        ok: phases.every((p) => p.drain.drained),
      },
      {
        name: 'gateway drained on SIGTERM and exited 0',
        expected: 'exit 0',
        actual: `exit ${String(exit.code)}${exit.signal ? ` (${exit.signal})` : ''}`,
        ok: exit.code === 0,
      },
    ];
    const pass = checks.every((c) => c.ok);
    say(`verify: ${pass ? 'PASS' : 'FAIL'}`);

    let baseline: BenchResult['baseline'];
    if (options.baselineSeconds > 0) {
      say(`baseline: per-event sink for ${options.baselineSeconds} s on the same topic`);
      const baselineUrl = await createDatabase(options.pgAdminUrl, names.baselineDatabase);
      baseline = await runPerEventBaseline({
        kafka,
        topic: names.topic,
        group: names.baselineGroup,
        redisUrl: options.redisUrl,
        redisPrefix: names.baselineRedisPrefix,
        databaseUrl: baselineUrl,
        days: streamDays(options.nowMs),
        seconds: options.baselineSeconds,
        stopAfter: messagesInTopic,
      });
      say(
        `baseline: ${fmtInt(baseline.perSecond)} msg/s over ${fmtInt(baseline.messages)} messages`,
      );
    }

    const sustained = main.committedPerSecond;
    const half = phases.find((p) => p.name === 'half');
    const measured = ceilings.filter((c) => c.perSecond > 0 && !c.diagnosis);
    const slowest = measured.reduce<CeilingResult | undefined>(
      (min, c) => (min === undefined || c.perSecond < min.perSecond ? c : min),
      undefined,
    );
    const ratioToBaseline =
      baseline && baseline.perSecond > 0 ? sustained / baseline.perSecond : undefined;
    const ratioToSlowest = slowest ? sustained / slowest.perSecond : undefined;
    const peakRss = proc.lastReading ? proc.lastReading.peakRssBytes / 1048576 : undefined;
    const bytesPerKeyUsed =
      Number.isFinite(dedupUsedBytes) && footprint.keys > 0
        ? dedupUsedBytes / footprint.keys
        : undefined;
    const bytesPerKeyUsage = footprint.keys > 0 ? footprint.bytes / footprint.keys : undefined;
    const targets: Target[] = [
      {
        name: 'sustained end-to-end msg/s, with PASS',
        target: '≥ 50,000',
        value: `${fmtInt(sustained)} (${pass ? 'PASS' : 'FAIL'})`,
        met: pass && sustained >= 50_000,
      },
      {
        name: 'adgate ÷ per-event baseline',
        target: '≥ 20×',
        value: ratioToBaseline === undefined ? '–' : `${ratioToBaseline.toFixed(1)}×`,
        met: ratioToBaseline === undefined ? undefined : ratioToBaseline >= 20,
      },
      {
        name: `adgate ÷ slowest ceiling${slowest ? ` (${slowest.name})` : ''}`,
        target: '≥ 70%',
        value: ratioToSlowest === undefined ? '–' : `${(ratioToSlowest * 100).toFixed(0)}%`,
        met: ratioToSlowest === undefined ? undefined : ratioToSlowest >= 0.7,
      },
      {
        name: 'HTTP ack p99 at half the max rate',
        target: '≤ 50 ms',
        value: fmtMs(half?.httpAck.p99),
        met: half?.httpAck.p99 === undefined ? undefined : half.httpAck.p99 <= 50,
      },
      {
        name: 'event→commit p99 at half the max rate',
        target: '≤ 1 s',
        value: fmtMs(half?.eventToCommit.p99),
        met: half?.eventToCommit.p99 === undefined ? undefined : half.eventToCommit.p99 <= 1000,
      },
      {
        name: 'gateway peak RSS (VmHWM)',
        target: '≤ 300 MB',
        value: peakRss === undefined ? '–' : `${peakRss.toFixed(0)} MB`,
        met: peakRss === undefined ? undefined : peakRss <= 300,
      },
      {
        name: 'Redis bytes per dedup key (INFO used_memory)',
        target: '≤ 40',
        value: `${bytesPerKeyUsed?.toFixed(1) ?? '–'} (MEMORY USAGE ${bytesPerKeyUsage?.toFixed(1) ?? '–'}, marginal ${footprint.marginalBytesPerKey?.toFixed(1) ?? '–'})`,
        // Zero or less is no measurement: something else freed memory meanwhile.
        met:
          bytesPerKeyUsed === undefined || bytesPerKeyUsed <= 0 ? undefined : bytesPerKeyUsed <= 40,
      },
    ];

    const machineBusy = main.machineBusy;
    const limits: string[] = [];
    if (main.pausedSeconds > 0.2 * main.windowSeconds)
      limits.push('the sink (the load paused at --max-lag)');
    else if (main.maxLag > Math.max(1_000, main.committedPerSecond))
      limits.push('the sink (lag grew)');
    else
      limits.push(
        'the ingress or the load generator (the sink kept up: lag under 1 s of throughput)',
      );
    if (machineBusy >= 0.9)
      limits.push(`the machine's CPU (${(machineBusy * 100).toFixed(0)}% busy)`);

    const firstLag = lag.samples[0];
    const result: BenchResult = {
      version: 1,
      pass,
      mode: options.mode,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      options: { ...options, nowIso: new Date(options.nowMs).toISOString() },
      machine: {
        cpus: cpus().length,
        loadAverageAtStart: loadAtStart,
        loadAverageAtEnd: loadavg(),
        node: process.version,
        note: 'Everything (Kafka, PostgreSQL, Redis, the gateway, this load generator) shares this machine; figures from a busy machine are noise.',
      },
      names: { ...names },
      stream: {
        distinct: expected.distinct,
        byType: { ...expected.byType },
        malformed: expected.malformed,
        messagesInTopic,
      },
      checks,
      differences: verdict.differences,
      phases,
      sustainedPerSecond: sustained,
      limitedBy: limits.join('; '),
      gateway: {
        ...(peakRss === undefined ? {} : { peakRssMb: peakRss }),
        ...(proc.lastReading ? { cpuSeconds: proc.lastReading.cpuSeconds } : {}),
        exitCode: exit.code,
        stopSeconds,
      },
      redis: {
        keys: footprint.keys,
        hashes: footprint.hashes,
        buckets: Number(options.gatewayEnv.ADGATE_DEDUP_REDIS_BUCKETS ?? options.dedupBuckets),
        ...(bytesPerKeyUsed === undefined ? {} : { bytesPerKeyUsedMemory: bytesPerKeyUsed }),
        ...(bytesPerKeyUsage === undefined ? {} : { bytesPerKeyMemoryUsage: bytesPerKeyUsage }),
        ...(Number.isFinite(dedupUsedBytes) ? { dedupUsedMemoryBytes: dedupUsedBytes } : {}),
        usedMemoryMethod,
        ...(footprint.marginalBytesPerKey === undefined
          ? {}
          : { marginalBytesPerKey: footprint.marginalBytesPerKey }),
        ...(footprint.bytesPerHash === undefined ? {} : { bytesPerHash: footprint.bytesPerHash }),
        encodings: footprint.encodings,
        dedupCommandsPerMessage: outcomesTotal > 0 ? dedupCalls / outcomesTotal : 0,
        dedupScriptCallsPerMessage: outcomesTotal > 0 ? scriptCalls / outcomesTotal : 0,
        commandCalls: calls,
        ...(footprint.listpackMaxEntries === undefined
          ? {}
          : { listpackMaxEntries: footprint.listpackMaxEntries }),
      },
      ceilings,
      ...(slowest ? { slowestCeiling: slowest } : {}),
      ...(ratioToSlowest === undefined ? {} : { ratioToSlowestCeiling: ratioToSlowest }),
      ...(baseline ? { baseline } : {}),
      ...(ratioToBaseline === undefined ? {} : { ratioToBaseline }),
      targets,
      series: lag.samples.map((s) => ({
        t: rel(s.t),
        produced: s.end,
        committed: s.committed,
        lag: s.end - s.committed,
      })),
      sink: sink.samples.map((s) => ({ t: rel(s.t), handled: s.handled, inserted: s.inserted })),
      process: proc.samples.map((s, i) => {
        const prev = proc.samples[i - 1];
        const cores =
          prev && s.t > prev.t ? (s.cpuSeconds - prev.cpuSeconds) / ((s.t - prev.t) / 1000) : 0;
        return { t: rel(s.t), rssMb: s.rssBytes / 1048576, cores };
      }),
      spans,
      files,
    };
    if (firstLag === undefined) say('warning: no lag sample was taken');
    await writeFile(files.json, `${JSON.stringify(result, null, 2)}\n`);
    await writeFile(files.html, renderBenchHtml(result));
    console.log('');
    console.log(renderTable(result));
    console.log('');
    console.log(`result: ${files.json}`);
    console.log(`chart:  ${files.html}`);
    console.log(`gateway log: ${files.gatewayLog}`);
    if (files.profile !== undefined) console.log(`gateway CPU profile: ${files.profile}`);
    return result;
  } finally {
    progress?.stop();
    lagSampler?.stop();
    sinkSampler?.stop();
    procSampler?.stop();
    serviceSampler?.stop();
    if (gateway && gateway.child.exitCode === null && gateway.child.signalCode === null) {
      await gateway.stop('SIGTERM', 30_000).catch(() => undefined);
      await writeFile(files.gatewayLog, gateway.output()).catch(() => undefined);
    }
    await http?.close().catch(() => undefined);
    await kafkaLoad?.close().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    if (!options.keep) {
      say('cleanup: topics, groups, Redis keys, databases of this run (--keep to keep them)');
      const problems = await removeResources(names, admin, redis, options.pgAdminUrl);
      for (const p of problems) say(`cleanup: ${p}`);
    } else {
      say(
        `kept: topics ${names.topic}*, databases ${names.database}*, Redis prefix ${names.redisPrefix}`,
      );
    }
    await admin.disconnect().catch(() => undefined);
    redis.disconnect();
  }
}

await runBenchCli('run-bench', parseOptions, helpText, runBench);
