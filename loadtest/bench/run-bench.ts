#!/usr/bin/env node
/**
 * The benchmark's entry point: `node dist/loadtest/bench/run-bench.js --help`.
 * One run, step by step: its own resources, the stage ceilings, the gateway
 * in a child process under load (max rate, then half of what it sustained),
 * its drain, the verification, the per-event baseline, the report
 * (loadtest/README.md, "What one run does").
 */
import { join } from 'node:path';
import { startOtlpReceiver } from '../../testkit/otlp-receiver.js';
import { ExpectedTotals } from '../../testkit/stream/expected-totals.js';
import { type ChunkedStreamOptions, generateChunks } from '../../testkit/stream/generate-chunks.js';
import { type BaselineResult, runPerEventBaseline } from '../baseline/per-event-sink.js';
import {
  type BenchRun,
  closeRun,
  createRunResources,
  machineLine,
  openRun,
  readOutcome,
  writeReport,
} from '../common/bench-run.js';
import { createDatabase } from '../common/resources.js';
import { runBenchCli } from '../common/run-cli.js';
import type { PhaseLoad } from '../load/drive-load.js';
import { HttpLoad } from '../load/http-load.js';
import { KafkaLoad, keyPartitioner } from '../load/kafka-load.js';
import { PreparedStream } from '../load/prepared-stream.js';
import { type Scrape, scrapeMetrics, sinkOutcomes } from '../measure/measure-metrics.js';
import type { Span } from '../report/line-chart.js';
import { fmtInt } from '../report/report-table.js';
import { assembleResult } from './assemble-result.js';
import { renderBenchHtml } from './bench-html.js';
import { type BenchOptions, helpText, parseOptions } from './bench-options.js';
import type { BacklogFigures, BenchResult, Check, PhaseFigures } from './bench-result.js';
import { renderTable } from './bench-table.js';
import { benchChecks } from './bench-verdict.js';
import {
  type BenchFiles,
  closeGatewayUnderTest,
  drainGateway,
  type GatewayUnderTest,
  startGatewayUnderTest,
} from './gateway-under-test.js';
import { readRedisBefore, redisFigures } from './redis-figures.js';
import { type MeasureInputs, runBacklog } from './run-backlog.js';
import { runCeilings, streamDays } from './run-ceilings.js';
import { type PhaseRunner, runPhase } from './run-phase.js';

export async function runBench(given: BenchOptions): Promise<BenchResult> {
  const receiver = given.tracing ? await startOtlpReceiver() : undefined;
  // --tracing: the gateway exports to the receiver; --gateway-env may still override.
  const options: BenchOptions = receiver
    ? { ...given, gatewayEnv: { ADGATE_OTLP_TRACES_URL: receiver.url, ...given.gatewayEnv } }
    : given;
  const run = await openRun('bench', options);
  run.say(`adgate bench, ${options.mode} mode, seed ${options.seed}; ${machineLine(run)}`);
  const files = benchFiles(run.outDir, options);
  const live: { gut?: GatewayUnderTest; runner?: PhaseRunner } = {};
  try {
    const databaseUrl = await createRunResources(run, options);
    const stream = streamOptions(options);
    const ceilings =
      options.ceilingSeconds > 0 ? await runCeilings(run, options, stream, databaseUrl) : [];
    const redisBefore = await readRedisBefore(run.redis);
    const expected = new ExpectedTotals();
    const inputs: MeasureInputs = { run, options, stream, expected, databaseUrl, files };
    const measured =
      options.backlog > 0 ? await measureBacklog(inputs, live) : await measurePhases(inputs, live);
    const { gut } = measured;
    gut.progress.stop();

    // Figures that need the gateway still running.
    gut.proc.sample();
    const handled = sinkOutcomes(measured.finalScrape).total;
    const prefix = run.names.redisPrefix;
    const redis = await redisFigures(run.redis, prefix, options, redisBefore, handled);
    run.say('gateway: SIGTERM (drain and exit)');
    const stopped = await drainGateway(gut, options, files);

    run.say('verify: PostgreSQL, DLQ, HTTP rejections, sink accounting');
    const outcome = await readOutcome(run, databaseUrl, expected);
    const checks = [
      ...benchChecks(
        outcome,
        expected.distinct,
        measured.loads,
        measured.phases,
        measured.finalScrape,
        stopped.exit,
      ),
      ...measured.checks,
    ];
    run.say(`verify: ${checks.every((c) => c.ok) ? 'PASS' : 'FAIL'}`);
    const baseline = await runBaseline(run, options, outcome.messagesInTopic);

    const { phases, spans, backlog } = measured;
    const facts = { run, options, files, expected, outcome, checks, gut, stopped, phases, spans };
    const tracing = receiver && { requests: receiver.requests, bytes: receiver.bytes };
    const result = assembleResult({ ...facts, backlog, tracing, redis, ceilings, baseline });
    if (gut.lag.samples.length === 0) run.say('warning: no lag sample was taken');
    await writeReport(files, result, renderBenchHtml(result), renderTable(result), [
      `gateway log: ${files.gatewayLog}`,
      ...(files.profile === undefined
        ? []
        : [
            `gateway CPU profile: ${files.profile} (a worker's: gateway.<role>-<n>.cpuprofile beside it)`,
          ]),
    ]);
    return result;
  } finally {
    await closeGatewayUnderTest(live.gut, files);
    await live.runner?.http?.close().catch(() => undefined);
    await live.runner?.kafkaLoad?.close().catch(() => undefined);
    await receiver?.close();
    await closeRun(run, options);
  }
}

/** What a mode measured with the gateway running: its phases or its backlog drain. */
interface Measured {
  readonly gut: GatewayUnderTest;
  readonly phases: readonly PhaseFigures[];
  readonly loads: readonly PhaseLoad[];
  readonly spans: readonly Span[];
  readonly finalScrape: Scrape;
  readonly checks: readonly Check[];
  readonly backlog?: BacklogFigures;
}

/** The load phases: the gateway with every role, at the max rate, then at half of it. */
async function measurePhases(
  inputs: MeasureInputs,
  live: { gut?: GatewayUnderTest; runner?: PhaseRunner },
): Promise<Measured> {
  const { run, options, stream, expected, databaseUrl, files } = inputs;
  const gut = await startGatewayUnderTest(run, options, databaseUrl, files);
  live.gut = gut;
  const runner = await createPhaseRunner(run, options, gut, stream, expected);
  live.runner = runner;
  await runPhases(runner, options);
  const { phases, loads, spans } = runner;
  return { gut, phases, loads, spans, finalScrape: runner.lastScrape, checks: [] };
}

/** --backlog N: the topic filled first, then the sink alone timed while it catches up. */
async function measureBacklog(
  inputs: MeasureInputs,
  live: { gut?: GatewayUnderTest },
): Promise<Measured> {
  const backlog = await runBacklog(inputs, live);
  const gut = live.gut as GatewayUnderTest;
  const rel = (t: number) => (t - gut.startedAt) / 1000;
  const spans = [
    { name: 'backlog', from: rel(backlog.figures.start.at), to: rel(backlog.figures.committedAt) },
  ];
  const finalScrape = await scrapeMetrics(gut.gateway.url);
  const { figures, write, checks } = backlog;
  return { gut, phases: [], loads: [write], spans, finalScrape, checks, backlog: figures };
}

function benchFiles(outDir: string, options: BenchOptions): BenchFiles {
  return {
    json: join(outDir, 'result.json'),
    html: join(outDir, 'report.html'),
    gatewayLog: join(outDir, 'gateway.log'),
    ...(options.profile ? { profile: join(outDir, 'gateway.cpuprofile') } : {}),
  };
}

function streamOptions(options: BenchOptions): ChunkedStreamOptions {
  return {
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
}

/** The stream routed over HTTP and Kafka-direct as --ingress says, and the load clients. */
async function createPhaseRunner(
  run: BenchRun,
  options: BenchOptions,
  gut: GatewayUnderTest,
  stream: ChunkedStreamOptions,
  expected: ExpectedTotals,
): Promise<PhaseRunner> {
  const router = new PreparedStream(
    generateChunks(stream),
    expected,
    {
      seed: options.seed,
      kafkaShare: options.kafkaShare,
      retryShare: options.retries,
      batchSize: options.batchSize,
      kafkaBatch: options.kafkaBatch,
    },
    keyPartitioner(run.names.topic, options.partitions),
  );
  const url = gut.gateway.url;
  const http = options.kafkaShare < 1 ? new HttpLoad(url, options.connections) : undefined;
  const kafkaLoad = options.kafkaShare > 0 ? new KafkaLoad(run.kafka, run.names.topic) : undefined;
  await kafkaLoad?.connect();
  const lastScrape = await scrapeMetrics(url);
  return {
    ...{ options, gut, router, http, kafkaLoad, say: run.say, lastScrape },
    ...{ phases: [], loads: [], spans: [] },
  };
}

/** The main phase at --rate, then the latency phase at half of what it sustained. */
async function runPhases(runner: PhaseRunner, options: BenchOptions): Promise<void> {
  const main = await runPhase(runner, 'main', options.rate, options.duration);
  if (options.halfDuration > 0) {
    const half = Math.max(1, Math.round(main.committedPerSecond / 2));
    await runPhase(runner, 'half', half, options.halfDuration);
  }
}

/** The per-event sink on the same topic from the beginning, with its own group, prefix and database. */
async function runBaseline(
  run: BenchRun,
  options: BenchOptions,
  messagesInTopic: number,
): Promise<BaselineResult | undefined> {
  if (options.baselineSeconds <= 0) return undefined;
  const { names } = run;
  run.say(`baseline: per-event sink for ${options.baselineSeconds} s on the same topic`);
  const databaseUrl = await createDatabase(options.pgAdminUrl, names.baselineDatabase);
  const baseline = await runPerEventBaseline({
    kafka: run.kafka,
    topic: names.topic,
    group: names.baselineGroup,
    redisUrl: options.redisUrl,
    redisPrefix: names.baselineRedisPrefix,
    databaseUrl,
    days: streamDays(options.nowMs),
    seconds: options.baselineSeconds,
    stopAfter: messagesInTopic,
  });
  run.say(
    `baseline: ${fmtInt(baseline.perSecond)} msg/s over ${fmtInt(baseline.messages)} messages`,
  );
  return baseline;
}

await runBenchCli('run-bench', parseOptions, helpText, runBench);
