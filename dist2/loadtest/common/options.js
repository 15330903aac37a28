import { userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
/**
 * What both benchmarks' command lines share: the option table that drives
 * the parser and --help alike, the readers of typed values, and the options
 * every run has (the stream's shares, the servers, where results go).
 */
// dist/loadtest/common/ → the repository.
const REPO = join(import.meta.dirname, '..', '..', '..');
export const STACK_DIR = process.env.ADGATE_STACK_DIR ?? join(REPO, '.cache', 'stack');
/** Where results go by default: loadtest/out of the repository. */
export const DEFAULT_OUT_DIR = join(REPO, 'loadtest', 'out');
export class UsageError extends Error {
}
/** Where the servers under test are, the same in every benchmark. */
export const SERVER_OPTIONS = [
    {
        name: 'kafka-brokers',
        value: 'LIST',
        help: 'default $ADGATE_BENCH_KAFKA_BROKERS or 127.0.0.1:9092',
    },
    {
        name: 'redis-url',
        value: 'URL',
        help: 'default $ADGATE_BENCH_REDIS_URL or redis://127.0.0.1:6379',
    },
    {
        name: 'pg-admin-url',
        value: 'URL',
        help: 'a database to CREATE DATABASE from; default $ADGATE_BENCH_PG_ADMIN_URL or postgres://<user>@127.0.0.1:5432/postgres',
    },
];
/** The four shares of the generated stream, the same in every benchmark. */
export const STREAM_SHARE_OPTIONS = [
    {
        name: 'duplicates',
        value: 'F',
        fallback: '0.1',
        help: 'extra sends repeating a recent event, share of distinct events',
    },
    {
        name: 'retries',
        value: 'F',
        fallback: '0.02',
        help: 'share of HTTP requests sent again, whole, after their 202',
    },
    {
        name: 'out-of-order',
        value: 'F',
        fallback: '0.1',
        help: 'share of events moved to a random place of their chunk',
    },
    {
        name: 'malformed',
        value: 'F',
        fallback: '0.002',
        help: 'malformed messages, share of distinct events (Kafka: to the DLQ; HTTP: rejected)',
    },
];
/** The options part of a --help text, one line per option. */
export function optionLines(specs) {
    return specs
        .map((o) => {
        const flag = `--${o.name}${o.value ? ` ${o.value}` : ''}`;
        const fallback = o.fallback === undefined ? '' : ` (default ${o.fallback})`;
        return `  ${flag.padEnd(28)}${o.help}${fallback}`;
    })
        .join('\n');
}
/**
 * Splits argv by `specs` with node:util parseArgs (`--name value`,
 * `--name=value`, flags); 'help' on -h/--help. Its errors become usage errors.
 */
export function readArgv(argv, specs) {
    const config = Object.fromEntries(specs.map((o) => [
        o.name,
        {
            type: o.value === undefined ? 'boolean' : 'string',
            multiple: o.name === 'gateway-env',
            ...(o.name === 'help' ? { short: 'h' } : {}),
        },
    ]));
    let values;
    try {
        values = parseArgs({ args: [...argv], options: config, strict: true }).values;
    }
    catch (error) {
        throw new UsageError(`${error.message} (see --help)`);
    }
    if (values.help === true)
        return 'help';
    const given = new Map();
    const gatewayEnv = {};
    for (const [name, value] of Object.entries(values)) {
        if (name !== 'gateway-env')
            given.set(name, String(value));
        else
            for (const pair of value)
                addEnv(gatewayEnv, pair);
    }
    return { given, gatewayEnv };
}
function addEnv(env, pair) {
    const at = pair.indexOf('=');
    if (at <= 0)
        throw new UsageError(`--gateway-env wants KEY=VALUE, got ${pair}`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
}
/**
 * Typed readers of option values: given, else `defaults(name)`, else the
 * spec's fallback. Kept by hand rather than a zod schema: each option's
 * bounds sit at the one place it is read, and the messages name the flag.
 */
export function optionReader(given, specs, defaults = () => undefined) {
    const known = new Map(specs.map((o) => [o.name, o]));
    const raw = (name) => {
        const value = given.get(name) ?? defaults(name) ?? known.get(name)?.fallback;
        if (value === undefined)
            throw new UsageError(`--${name} has no value`);
        return value;
    };
    const num = (name, min, max = Number.POSITIVE_INFINITY) => {
        const value = Number(raw(name));
        if (!Number.isFinite(value) || value < min || value > max) {
            throw new UsageError(`--${name} must be a number in [${min}, ${max}], got ${raw(name)}`);
        }
        return value;
    };
    const int = (name, min, max = Number.MAX_SAFE_INTEGER) => {
        const value = num(name, min, max);
        if (!Number.isInteger(value))
            throw new UsageError(`--${name} must be an integer`);
        return value;
    };
    return { raw, num, int };
}
/** --now: the instant events are generated before (default now, to the minute), within 6 days. */
export function readNow(given) {
    const nowText = given.get('now');
    const nowMs = nowText === undefined ? Math.floor(Date.now() / 60_000) * 60_000 : Date.parse(nowText);
    if (!Number.isFinite(nowMs))
        throw new UsageError(`--now is not a date: ${nowText}`);
    if (Math.abs(Date.now() - nowMs) > 6 * 86_400_000) {
        throw new UsageError('--now must be within 6 days of now (the acceptance window is 7 days)');
    }
    return nowMs;
}
/** The servers a run talks to: options, else $ADGATE_BENCH_*, else the local stack. */
function readServers(given) {
    return {
        kafkaBrokers: given.get('kafka-brokers') ?? process.env.ADGATE_BENCH_KAFKA_BROKERS ?? '127.0.0.1:9092',
        redisUrl: given.get('redis-url') ?? process.env.ADGATE_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
        pgAdminUrl: given.get('pg-admin-url') ??
            process.env.ADGATE_BENCH_PG_ADMIN_URL ??
            `postgres://${userInfo().username}@127.0.0.1:5432/postgres`,
    };
}
/** The options every run has, read the same way for both benchmarks. */
export function readCommonOptions({ given, gatewayEnv }, read, partitions) {
    const { raw, num, int } = read;
    return {
        seed: int('seed', 0, 2 ** 32 - 1),
        nowMs: readNow(given),
        duplicates: num('duplicates', 0, 1),
        retries: num('retries', 0, 1),
        outOfOrder: num('out-of-order', 0, 1),
        malformed: num('malformed', 0, 1),
        partitions: int('partitions', partitions.min, 1_000),
        gatewayEnv,
        gatewayLogLevel: raw('gateway-log-level'),
        progressEvery: num('progress-every', 0.5),
        sampleEveryMs: int('sample-every', 50),
        outDir: given.get('out') ?? DEFAULT_OUT_DIR,
        keep: given.get('keep') === 'true',
        ...readServers(given),
    };
}
//# sourceMappingURL=options.js.map