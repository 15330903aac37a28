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
export const STACK_DIR = process.env.STACK_DIR ?? join(REPO, '.cache', 'stack');

/** Where results go by default: loadtest/out of the repository. */
export const DEFAULT_OUT_DIR = join(REPO, 'loadtest', 'out');

export class UsageError extends Error {}

/** One command-line option: `--name VALUE`, or a flag when `value` is absent. */
export interface OptionSpec {
  readonly name: string;
  readonly value?: string;
  readonly fallback?: string;
  readonly help: string;
}

/** What every run has, whichever benchmark it is. */
export interface CommonOptions {
  readonly seed: number;
  readonly nowMs: number;
  readonly duplicates: number;
  readonly retries: number;
  readonly outOfOrder: number;
  readonly malformed: number;
  readonly partitions: number;
  readonly gatewayEnv: Readonly<Record<string, string>>;
  readonly gatewayLogLevel: string;
  readonly progressEvery: number;
  readonly sampleEveryMs: number;
  readonly outDir: string;
  readonly keep: boolean;
  readonly kafkaBrokers: string;
  readonly redisUrl: string;
  readonly pgAdminUrl: string;
}

/** Where the servers under test are, the same in every benchmark. */
export const SERVER_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'kafka-brokers',
    value: 'LIST',
    help: 'default $BENCH_KAFKA_BROKERS or 127.0.0.1:9092',
  },
  {
    name: 'redis-url',
    value: 'URL',
    help: 'default $BENCH_REDIS_URL or redis://127.0.0.1:6379',
  },
  {
    name: 'pg-admin-url',
    value: 'URL',
    help: 'a database to CREATE DATABASE from; default $BENCH_PG_ADMIN_URL or postgres://<user>@127.0.0.1:5432/postgres',
  },
];

/** The four shares of the generated stream, the same in every benchmark. */
export const STREAM_SHARE_OPTIONS: readonly OptionSpec[] = [
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
export function optionLines(specs: readonly OptionSpec[]): string {
  return specs
    .map((o) => {
      const flag = `--${o.name}${o.value ? ` ${o.value}` : ''}`;
      const fallback = o.fallback === undefined ? '' : ` (default ${o.fallback})`;
      return `  ${flag.padEnd(28)}${o.help}${fallback}`;
    })
    .join('\n');
}

/** What the command line said: the values given (flags as 'true') and every --gateway-env. */
export interface GivenOptions {
  readonly given: ReadonlyMap<string, string>;
  readonly gatewayEnv: Readonly<Record<string, string>>;
}

/**
 * Splits argv by `specs` with node:util parseArgs (`--name value`,
 * `--name=value`, flags); 'help' on -h/--help. Its errors become usage errors.
 */
export function readArgv(
  argv: readonly string[],
  specs: readonly OptionSpec[],
): GivenOptions | 'help' {
  const config = Object.fromEntries(
    specs.map((o) => [
      o.name,
      {
        type: o.value === undefined ? ('boolean' as const) : ('string' as const),
        multiple: o.name === 'gateway-env',
        ...(o.name === 'help' ? { short: 'h' } : {}),
      },
    ]),
  );
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    values = parseArgs({ args: [...argv], options: config, strict: true }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (see --help)`);
  }
  if (values.help === true) return 'help';
  const given = new Map<string, string>();
  const gatewayEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (name !== 'gateway-env') given.set(name, String(value));
    else for (const pair of value as string[]) addEnv(gatewayEnv, pair);
  }
  return { given, gatewayEnv };
}

function addEnv(env: Record<string, string>, pair: string): void {
  const at = pair.indexOf('=');
  if (at <= 0) throw new UsageError(`--gateway-env wants KEY=VALUE, got ${pair}`);
  env[pair.slice(0, at)] = pair.slice(at + 1);
}

/**
 * Typed readers of option values: given, else `defaults(name)`, else the
 * spec's fallback. Kept by hand rather than a zod schema: each option's
 * bounds sit at the one place it is read, and the messages name the flag.
 */
export function optionReader(
  given: ReadonlyMap<string, string>,
  specs: readonly OptionSpec[],
  defaults: (name: string) => string | undefined = () => undefined,
) {
  const known = new Map(specs.map((o) => [o.name, o]));
  const raw = (name: string): string => {
    const value = given.get(name) ?? defaults(name) ?? known.get(name)?.fallback;
    if (value === undefined) throw new UsageError(`--${name} has no value`);
    return value;
  };
  const num = (name: string, min: number, max = Number.POSITIVE_INFINITY): number => {
    const value = Number(raw(name));
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new UsageError(`--${name} must be a number in [${min}, ${max}], got ${raw(name)}`);
    }
    return value;
  };
  const int = (name: string, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const value = num(name, min, max);
    if (!Number.isInteger(value)) throw new UsageError(`--${name} must be an integer`);
    return value;
  };
  return { raw, num, int };
}

export type OptionReader = ReturnType<typeof optionReader>;

/** --now: the instant events are generated before (default now, to the minute), within 6 days. */
export function readNow(given: ReadonlyMap<string, string>): number {
  const nowText = given.get('now');
  const nowMs =
    nowText === undefined ? Math.floor(Date.now() / 60_000) * 60_000 : Date.parse(nowText);
  if (!Number.isFinite(nowMs)) throw new UsageError(`--now is not a date: ${nowText}`);
  if (Math.abs(Date.now() - nowMs) > 6 * 86_400_000) {
    throw new UsageError('--now must be within 6 days of now (the acceptance window is 7 days)');
  }
  return nowMs;
}

/** The servers a run talks to: options, else $BENCH_*, else the local stack. */
export function readServers(given: ReadonlyMap<string, string>) {
  return {
    kafkaBrokers: given.get('kafka-brokers') ?? process.env.BENCH_KAFKA_BROKERS ?? '127.0.0.1:9092',
    redisUrl: given.get('redis-url') ?? process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    pgAdminUrl: readPgAdminUrl(given),
  };
}

/** --pg-admin-url (SERVER_OPTIONS), else $BENCH_PG_ADMIN_URL, else the local server as this user. */
export function readPgAdminUrl(given: ReadonlyMap<string, string>): string {
  return (
    given.get('pg-admin-url') ??
    process.env.BENCH_PG_ADMIN_URL ??
    `postgres://${userInfo().username}@127.0.0.1:5432/postgres`
  );
}

/** The options every run has, read the same way for both benchmarks. */
export function readCommonOptions(
  { given, gatewayEnv }: GivenOptions,
  read: OptionReader,
  partitions: { min: number },
): CommonOptions {
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
