#!/usr/bin/env node
/**
 * The benchmark's entry point: `node dist/loadtest/bench/run-bench.js --help`.
 * One run, step by step: its own resources, the stage ceilings, the gateway
 * in a child process under load (max rate, then half of what it sustained),
 * its drain, the verification, the per-event baseline, the report
 * (loadtest/README.md, "What one run does").
 */
import { join } from 'node:path';
import { ExpectedTotals } from '../../testkit/stream/expected-totals.js';
import { generateChunks } from '../../testkit/stream/generate-chunks.js';
import { StreamRouter } from '../../testkit/stream/route-stream.js';
import { runPerEventBaseline } from '../baseline/per-event-sink.js';
import { closeRun, createRunResources, machineLine, openRun, readOutcome, writeReport, } from '../common/bench-run.js';
import { createDatabase } from '../common/resources.js';
import { runBenchCli } from '../common/run-cli.js';
import { HttpLoad } from '../load/http-load.js';
import { KafkaLoad } from '../load/kafka-load.js';
import { scrapeMetrics, sinkOutcomes } from '../measure/measure-metrics.js';
import { fmtInt } from '../report/report-table.js';
import { assembleResult } from './assemble-result.js';
import { renderBenchHtml } from './bench-html.js';
import { helpText, parseOptions } from './bench-options.js';
import { renderTable } from './bench-table.js';
import { benchChecks } from './bench-verdict.js';
import { closeGatewayUnderTest, drainGateway, startGatewayUnderTest, } from './gateway-under-test.js';
import { readRedisBefore, redisFigures } from './redis-figures.js';
import { runCeilings, streamDays } from './run-ceilings.js';
import { runPhase } from './run-phase.js';
export async function runBench(options) {
    const run = await openRun('bench', options);
    run.say(`adgate bench, ${options.mode} mode, seed ${options.seed}; ${machineLine(run)}`);
    const files = benchFiles(run.outDir, options);
    let gut;
    let runner;
    try {
        const databaseUrl = await createRunResources(run, options);
        const stream = streamOptions(options);
        const ceilings = options.ceilingSeconds > 0 ? await runCeilings(run, options, stream, databaseUrl) : [];
        const redisBefore = await readRedisBefore(run.redis);
        gut = await startGatewayUnderTest(run, options, databaseUrl, files);
        const expected = new ExpectedTotals();
        runner = await createPhaseRunner(run, options, gut, stream, expected);
        await runPhases(runner, options);
        gut.progress.stop();
        // Figures that need the gateway still running.
        const finalScrape = runner.lastScrape;
        gut.proc.sample();
        const handled = sinkOutcomes(finalScrape).total;
        const prefix = run.names.redisPrefix;
        const redis = await redisFigures(run.redis, prefix, options, redisBefore, handled);
        run.say('gateway: SIGTERM (drain and exit)');
        const stopped = await drainGateway(gut, options, files);
        run.say('verify: PostgreSQL, DLQ, HTTP rejections, sink accounting');
        const outcome = await readOutcome(run, databaseUrl, expected);
        const { loads, phases } = runner;
        const checks = benchChecks(outcome, expected.distinct, loads, phases, finalScrape, stopped.exit);
        run.say(`verify: ${checks.every((c) => c.ok) ? 'PASS' : 'FAIL'}`);
        const baseline = await runBaseline(run, options, outcome.messagesInTopic);
        const facts = { run, options, files, expected, outcome, checks, runner, gut, stopped };
        const result = assembleResult({ ...facts, redis, ceilings, baseline });
        if (gut.lag.samples.length === 0)
            run.say('warning: no lag sample was taken');
        await writeReport(files, result, renderBenchHtml(result), renderTable(result), [
            `gateway log: ${files.gatewayLog}`,
            ...(files.profile === undefined ? [] : [`gateway CPU profile: ${files.profile}`]),
        ]);
        return result;
    }
    finally {
        await closeGatewayUnderTest(gut, files);
        await runner?.http?.close().catch(() => undefined);
        await runner?.kafkaLoad?.close().catch(() => undefined);
        await closeRun(run, options);
    }
}
function benchFiles(outDir, options) {
    return {
        json: join(outDir, 'result.json'),
        html: join(outDir, 'report.html'),
        gatewayLog: join(outDir, 'gateway.log'),
        ...(options.profile ? { profile: join(outDir, 'gateway.cpuprofile') } : {}),
    };
}
function streamOptions(options) {
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
async function createPhaseRunner(run, options, gut, stream, expected) {
    const router = new StreamRouter(generateChunks(stream), expected, {
        seed: options.seed,
        kafkaShare: options.kafkaShare,
        retryShare: options.retries,
        batchSize: options.batchSize,
        kafkaBatch: options.kafkaBatch,
    });
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
async function runPhases(runner, options) {
    const main = await runPhase(runner, 'main', options.rate, options.duration);
    if (options.halfDuration > 0) {
        const half = Math.max(1, Math.round(main.committedPerSecond / 2));
        await runPhase(runner, 'half', half, options.halfDuration);
    }
}
/** The per-event sink on the same topic from the beginning, with its own group, prefix and database. */
async function runBaseline(run, options, messagesInTopic) {
    if (options.baselineSeconds <= 0)
        return undefined;
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
    run.say(`baseline: ${fmtInt(baseline.perSecond)} msg/s over ${fmtInt(baseline.messages)} messages`);
    return baseline;
}
await runBenchCli('run-bench', parseOptions, helpText, runBench);
//# sourceMappingURL=run-bench.js.map