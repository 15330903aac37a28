import { optionLines, optionReader, readArgv, readCommonOptions, SERVER_OPTIONS, STREAM_SHARE_OPTIONS, UsageError, } from '../common/options.js';
/** Every option, in the order of --help. */
const OPTIONS = [
    {
        name: 'rate',
        value: 'N',
        fallback: '3000',
        help: 'events/s offered over HTTP, steady, through every restart',
    },
    {
        name: 'warmup',
        value: 'S',
        fallback: '10',
        help: 'seconds of steady load before the first restart (the lag baseline)',
    },
    {
        name: 'settle',
        value: 'S',
        fallback: '8',
        help: 'seconds of steady load after each replacement has partitions, before the next restart (longer while the lag is above --lag-threshold)',
    },
    {
        name: 'recovery-timeout',
        value: 'S',
        fallback: '30',
        help: 'longest wait, from the signal, for the lag to stay under --lag-threshold; then the next restart goes ahead',
    },
    {
        name: 'lag-threshold',
        value: 'S',
        fallback: '0.5',
        help: 'the lag counts as recovered under this many seconds of traffic (× --rate events)',
    },
    {
        name: 'phases',
        value: 'LIST',
        fallback: 'drain,kill',
        help: 'which phases, in order: drain (SIGTERM, wait for the exit, then start the replacement), kill (SIGKILL, replacement at once)',
    },
    { name: 'partitions', value: 'N', fallback: '6', help: 'partitions of the ingest topic' },
    {
        name: 'drain-timeout-ms',
        value: 'MS',
        fallback: '25000',
        help: "the gateways' ADGATE_DRAIN_TIMEOUT_MS",
    },
    { name: 'batch-size', value: 'N', fallback: '100', help: 'events per HTTP request (NDJSON)' },
    {
        name: 'connections',
        value: 'N',
        fallback: '4',
        help: 'HTTP keep-alive connections to each instance (undici)',
    },
    {
        name: 'health-every',
        value: 'MS',
        fallback: '250',
        help: "the client's GET /readyz of each instance, as a load balancer's health check",
    },
    { name: 'seed', value: 'N', fallback: '42', help: 'seed of the generated stream' },
    {
        name: 'now',
        value: 'ISO',
        help: 'instant the events are generated before (default: now, to the minute); within 6 days',
    },
    ...STREAM_SHARE_OPTIONS,
    {
        name: 'final-drain-timeout',
        value: 'S',
        fallback: '90',
        help: 'longest wait at the end for the group to commit the topic end',
    },
    {
        name: 'gateway-env',
        value: 'K=V',
        help: 'extra environment for every gateway instance (repeatable), e.g. ADGATE_KAFKA_SESSION_TIMEOUT_MS=6000',
    },
    {
        name: 'gateway-log-level',
        value: 'L',
        fallback: 'info',
        help: "the gateways' ADGATE_LOG_LEVEL (their output is kept in gateway-<instance>.log)",
    },
    { name: 'progress-every', value: 'S', fallback: '5', help: 'seconds between progress lines' },
    {
        name: 'sample-every',
        value: 'MS',
        fallback: '250',
        help: 'milliseconds between consumer lag samples',
    },
    {
        name: 'out',
        value: 'DIR',
        help: 'results go to DIR/<timestamp>-rolling/ (default loadtest/out of the repository)',
    },
    { name: 'keep', help: 'keep the database, topics and Redis keys of the run' },
    ...SERVER_OPTIONS,
    { name: 'help', help: 'this text' },
];
export function rollingHelpText() {
    return `adgate rolling-restart benchmark: two gateway instances (HTTP ingress and sink)
under steady HTTP load, restarted one after the other, first with a drain
(SIGTERM) and then with a hard kill (SIGKILL); consumer lag, drain times,
client retries and exactness.

usage: node dist/loadtest/rolling/rolling-restart.js [options]     (npm run bench:rolling)

It creates its own topics, consumer group, Redis key prefix and database,
starts two \`adgate serve\` instances on fixed ports, drives --rate events/s
through a client that skips an instance that is down or draining and retries a
503 or a refused connection on the other, restarts each instance in each
phase, samples the consumer lag every --sample-every ms, waits for the group to
commit everything, verifies PostgreSQL against the generator's record, and
writes result.json, report.html and each instance's log to
--out/<timestamp>-rolling/. Targets are shown, never asserted.
Exit status: 0 on PASS (exact counts), 1 on FAIL, 2 on a usage error.

options:
${optionLines(OPTIONS)}
`;
}
export function parseRollingOptions(argv) {
    const read = readArgv(argv, OPTIONS);
    if (read === 'help')
        return 'help';
    const reader = optionReader(read.given, OPTIONS);
    const { raw, num, int } = reader;
    const phases = raw('phases')
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== '');
    for (const p of phases) {
        if (p !== 'drain' && p !== 'kill')
            throw new UsageError(`--phases takes drain and kill, got ${p}`);
    }
    if (phases.length === 0)
        throw new UsageError('--phases needs at least one phase');
    return {
        ...readCommonOptions(read, reader, { min: 2 }),
        rate: num('rate', 1),
        warmup: num('warmup', 1),
        settle: num('settle', 0),
        recoveryTimeout: num('recovery-timeout', 1),
        lagThreshold: num('lag-threshold', 0.01),
        phases: phases,
        drainTimeoutMs: int('drain-timeout-ms', 1_000),
        batchSize: int('batch-size', 1, 5_000),
        connections: int('connections', 1, 256),
        healthEveryMs: int('health-every', 50),
        finalDrainTimeout: num('final-drain-timeout', 1),
    };
}
//# sourceMappingURL=rolling-options.js.map