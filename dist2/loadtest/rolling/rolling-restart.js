#!/usr/bin/env node
/**
 * A rolling restart at steady load: `node dist/loadtest/rolling/rolling-restart.js --help`.
 * Two gateway instances (HTTP ingress and sink) on fixed ports take a steady
 * HTTP load through a client that behaves like a load balancer; each is
 * restarted in turn, first with a drain (SIGTERM, SPEC §7), then with a hard
 * kill (SIGKILL). The consumer lag, drain times and client retries are
 * measured throughout; at the end the counts are verified exactly.
 */
import { join } from 'node:path';
import { closeRun, createRunResources, machineFacts, machineLine, openRun, readOutcome, writeReport, } from '../common/bench-run.js';
import { runBenchCli } from '../common/run-cli.js';
import { sleep } from '../common/say.js';
import { lagOf } from '../measure/measure-lag.js';
import { fmtInt } from '../report/report-table.js';
import { Fleet } from './fleet.js';
import { lagThreshold, restartInstance } from './restart-instance.js';
import { renderRollingHtml } from './rolling-html.js';
import { parseRollingOptions, rollingHelpText, } from './rolling-options.js';
import { renderRollingTable } from './rolling-table.js';
import { PHASE_LABEL, rollingChecks, rollingTargets, summarizeWindow } from './rolling-verdict.js';
import { SteadyLoad } from './steady-load.js';
export async function runRolling(options) {
    const run = await openRun('rolling', options, '-rolling');
    run.say(`adgate rolling restart: ${fmtInt(options.rate)} events/s, phases ${options.phases.join(', ')}, seed ${options.seed}; ${machineLine(run)}`);
    const files = { json: join(run.outDir, 'result.json'), html: join(run.outDir, 'report.html') };
    let fleet;
    let steady;
    try {
        const databaseUrl = await createRunResources(run, options);
        fleet = await Fleet.create(run, options, databaseUrl);
        await fleet.launchBoth(options.partitions);
        steady = new SteadyLoad(run, options, fleet);
        steady.start();
        const ctx = { run, options, fleet, steady };
        const warmupEnd = await warmUp(ctx);
        const windows = await runRestartPhases(ctx);
        const ended = await endLoad(ctx);
        const finalStops = await fleet.stopAll(options.drainTimeoutMs);
        run.say('verify: PostgreSQL against the generator, HTTP rejections, DLQ');
        const outcome = await readOutcome(run, databaseUrl, steady.expected);
        const checks = rollingChecks(outcome, steady.expected, ended.load, ended.drain, options);
        run.say(`verify: ${checks.every((c) => c.ok) ? 'PASS' : 'FAIL'}`);
        const phases = summarizePhases(steady, options, warmupEnd, windows);
        const result = assembleRollingResult(ctx, { outcome, checks, phases, ended, finalStops });
        const withFiles = { ...result, files: { ...files, ...fleet.files } };
        await writeReport(files, withFiles, renderRollingHtml(withFiles), renderRollingTable(withFiles), [`gateway logs: ${join(run.outDir, 'gateway-*.log')}`]);
        return withFiles;
    }
    finally {
        await steady?.close();
        await fleet?.close();
        await steady?.settled();
        await closeRun(run, options);
    }
}
/** --warmup seconds of steady load before the first restart: the lag's baseline. */
async function warmUp({ options, steady, run }) {
    run.say(`warm-up: ${options.warmup} s at ${fmtInt(options.rate)} events/s`);
    await sleep(options.warmup * 1000);
    steady.markItems();
    return Date.now();
}
/** Each phase in --phases order: both instances restarted, one after the other. */
async function runRestartPhases(ctx) {
    const windows = [];
    for (const name of ctx.options.phases) {
        const from = Date.now();
        const restarts = [];
        for (const slot of [0, 1])
            restarts.push(await restartInstance(ctx, name, slot));
        windows.push({ name, from, to: Date.now(), restarts });
        ctx.steady.markItems();
    }
    return windows;
}
/** The load stops at a chunk boundary; the group must then commit the topic end. */
async function endLoad({ options, steady, run }) {
    const load = await steady.finish();
    const loadEnd = load.endedAtMs ?? Date.now();
    steady.stage = 'final drain';
    run.say('final drain: waiting for the group to commit the topic end');
    const drain = await steady.lag.waitDrained(options.finalDrainTimeout * 1000);
    const drainedAt = Date.now();
    await sleep(options.sampleEveryMs * 2);
    steady.stopWatching();
    run.say(`final drain: ${drain.drained ? 'done' : `NOT done, lag ${fmtInt(drain.lag)}`} in ${(drain.waitedMs / 1000).toFixed(1)} s`);
    return { load, loadEnd, drain, drainedAt };
}
function summarizePhases(steady, options, warmupEnd, windows) {
    // The first seconds of load find both instances cold (JIT, first connections, first
    // COPY): the steady baseline is the rest of the warm-up.
    const steadyFrom = steady.t0 + Math.min(3_000, options.warmup * 500);
    const label = `steady (warm-up from ${steady.rel(steadyFrom).toFixed(0)} s)`;
    return [
        summarizeWindow(steady, options, { name: 'warm-up', label, from: steadyFrom, to: warmupEnd }, []),
        ...windows.map((w) => summarizeWindow(steady, options, { name: w.name, label: PHASE_LABEL[w.name], from: w.from, to: w.to }, w.restarts)),
    ];
}
function assembleRollingResult(ctx, f) {
    const { run, options, steady } = ctx;
    const { outcome, phases, ended } = f;
    const rel = (t) => steady.rel(t);
    const client = steady.client;
    const warmup = phases[0];
    return {
        version: 1,
        kind: 'rolling-restart',
        pass: f.checks.every((c) => c.ok),
        startedAt: run.startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        options: { ...options, nowIso: new Date(options.nowMs).toISOString() },
        machine: {
            ...machineFacts(run, 'Kafka, PostgreSQL, Redis, both gateways and this load generator share this machine; figures from a busy machine are noise.'),
            busyDuringLoad: steady.machine.busyBetween(steady.t0, ended.loadEnd),
        },
        gateway: {
            instances: 2,
            partitions: options.partitions,
            drainTimeoutMs: options.drainTimeoutMs,
            sessionTimeoutMs: options.gatewayEnv.ADGATE_KAFKA_SESSION_TIMEOUT_MS ?? '10000',
            batchMaxEvents: options.gatewayEnv.ADGATE_BATCH_MAX_EVENTS ?? '5000',
            env: { ...options.gatewayEnv },
        },
        names: { ...run.names },
        rate: options.rate,
        lagThresholdEvents: lagThreshold(options),
        stream: {
            distinct: steady.expected.distinct,
            byType: { ...steady.expected.byType },
            malformed: steady.expected.malformed,
            messagesInTopic: outcome.messagesInTopic,
            requests: ended.load.http.requests,
            lateSends: ended.load.lateSends,
            noneInRotation: client.noneInRotation,
        },
        phases,
        finalDrain: {
            drained: ended.drain.drained,
            seconds: ended.drain.waitedMs / 1000,
            lag: ended.drain.lag,
        },
        finalStops: f.finalStops,
        checks: f.checks,
        differences: outcome.verdict.differences,
        targets: rollingTargets(phases, steady.expected, outcome.verdict),
        series: steady.lag.samples.map((s) => ({
            t: rel(s.t),
            produced: s.end,
            committed: s.committed,
            lag: lagOf(s),
        })),
        retrySeries: client.retries.map((x) => ({
            t: rel(x.t),
            instance: x.instance,
            status: x.status,
        })),
        ackSeries: client.acks.map((x) => ({ t: rel(x.t), ms: x.ms, instance: x.instance })),
        spans: [
            { name: 'warm-up', from: 0, to: warmup?.to ?? 0 },
            ...phases.slice(1).map((p) => ({ name: p.label, from: p.from, to: p.to })),
            { name: 'final drain', from: rel(ended.loadEnd), to: rel(ended.drainedAt) },
        ],
    };
}
await runBenchCli('rolling-restart', parseRollingOptions, rollingHelpText, runRolling);
//# sourceMappingURL=rolling-restart.js.map