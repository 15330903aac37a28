import { userInfo } from 'node:os';
import { join } from 'node:path';

export type BenchMode = 'quick' | 'full';
export type Ingress = 'http' | 'kafka' | 'mixed';

export interface BenchOptions {
  readonly mode: BenchMode;
  readonly seed: number;
  readonly nowMs: number;
  /** Seconds of the main load phase. */
  readonly duration: number;
  /** Events per second offered in the main phase, or 'max'. */
  readonly rate: number | 'max';
  /** Seconds of the latency phase at half the rate the main phase sustained (0: skip). */
  readonly halfDuration: number;
  /** Seconds at the start of each phase left out of its rates. */
  readonly warmup: number;
  readonly ingress: Ingress;
  readonly kafkaShare: number;
  readonly batchSize: number;
  readonly connections: number;
  readonly kafkaBatch: number;
  readonly kafkaInFlight: number;
  readonly duplicates: number;
  readonly retries: number;
  readonly outOfOrder: number;
  readonly malformed: number;
  readonly chunkSize: number;
  readonly campaigns: number;
  readonly ads: number;
  readonly publishers: number;
  readonly partitions: number;
  /** In max mode, the load pauses while the consumer lag is above this. */
  readonly maxLag: number;
  readonly drainTimeout: number;
  readonly baselineSeconds: number;
  readonly ceilingSeconds: number;
  readonly ceilingRecords: number;
  readonly ceilingSample: number;
  /** The gateway's ADGATE_DEDUP_REDIS_BUCKETS, sized for the run's keys. */
  readonly dedupBuckets: number;
  readonly gatewayEnv: Readonly<Record<string, string>>;
  readonly gatewayLogLevel: string;
  readonly progressEvery: number;
  readonly sampleEveryMs: number;
  readonly outDir: string;
  readonly keep: boolean;
  readonly profile: boolean;
  readonly kafkaBrokers: string;
  readonly redisUrl: string;
  readonly pgAdminUrl: string;
  readonly kafkaLibs: string;
}

// dist/loadtest/bench/ → the repository.
const REPO = join(import.meta.dirname, '..', '..', '..');
const STACK_DIR = process.env.ADGATE_STACK_DIR ?? join(REPO, '.cache', 'stack');

const MODE_DEFAULTS: Record<BenchMode, Partial<Record<string, string>>> = {
  quick: {
    duration: '13',
    'half-duration': '7',
    warmup: '3',
    'max-lag': '50000',
    'drain-timeout': '30',
    'baseline-seconds': '5',
    'ceiling-seconds': '2',
    'ceiling-records': '1000000',
    'ceiling-sample': '100000',
    'dedup-buckets': '1024',
  },
  full: {
    duration: '120',
    'half-duration': '60',
    warmup: '10',
    'max-lag': '500000',
    'drain-timeout': '180',
    'baseline-seconds': '30',
    'ceiling-seconds': '10',
    'ceiling-records': '5000000',
    'ceiling-sample': '300000',
    'dedup-buckets': '16384',
  },
};

/** One command-line option: `--name VALUE`, or a flag when `value` is absent. */
export interface OptionSpec {
  readonly name: string;
  readonly value?: string;
  readonly fallback?: string;
  readonly help: string;
}

/** Every option, in the order of --help. Defaults marked "quick/full" depend on --mode. */
/** Where the servers under test are, the same in every benchmark. */
export const SERVER_OPTIONS: readonly OptionSpec[] = [
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

const OPTIONS: readonly OptionSpec[] = [
  { name: 'mode', value: 'quick|full', fallback: 'quick', help: 'preset of the defaults below' },
  { name: 'seed', value: 'N', fallback: '42', help: 'seed of the generated stream and routing' },
  {
    name: 'now',
    value: 'ISO',
    help: 'instant the events are generated before (default: now, to the minute); within 7 days',
  },
  { name: 'duration', value: 'S', help: 'seconds of the main load phase (quick 13, full 120)' },
  {
    name: 'rate',
    value: 'N|max',
    fallback: 'max',
    help: 'events/s offered in the main phase; max = as fast as the gateway takes them',
  },
  {
    name: 'half-duration',
    value: 'S',
    help: 'seconds of the latency phase at half the sustained rate; 0 skips it (quick 7, full 60)',
  },
  {
    name: 'warmup',
    value: 'S',
    help: 'seconds at the start of a phase left out of its rates (quick 3, full 10)',
  },
  {
    name: 'ingress',
    value: 'mixed|http|kafka',
    fallback: 'mixed',
    help: 'HTTP POSTs, Kafka-direct produce, or both',
  },
  {
    name: 'kafka-share',
    value: 'F',
    fallback: '0.3',
    help: 'share of messages written straight to Kafka with --ingress mixed',
  },
  { name: 'batch-size', value: 'N', fallback: '500', help: 'events per HTTP request (NDJSON)' },
  { name: 'connections', value: 'N', fallback: '8', help: 'HTTP keep-alive connections (undici)' },
  { name: 'kafka-batch', value: 'N', fallback: '1000', help: 'messages per Kafka-direct send' },
  { name: 'kafka-in-flight', value: 'N', fallback: '4', help: 'Kafka-direct sends in flight' },
  ...STREAM_SHARE_OPTIONS,
  {
    name: 'chunk-size',
    value: 'N',
    // Generating a chunk blocks this process's event loop (8-19 ms for
    // 5,000 events, 3-7 ms for 1,000), and a response that arrives
    // meanwhile waits: small chunks keep that out of the HTTP latency.
    fallback: '1000',
    help: 'distinct events generated at a time',
  },
  { name: 'campaigns', value: 'N', fallback: '2000', help: 'distinct campaigns' },
  { name: 'ads', value: 'N', fallback: '5000', help: 'distinct ads' },
  { name: 'publishers', value: 'N', fallback: '3000', help: 'distinct publishers' },
  { name: 'partitions', value: 'N', fallback: '6', help: 'partitions of the ingest topic' },
  {
    name: 'max-lag',
    value: 'N',
    help: 'with --rate max, pause the load while the lag is above N messages (quick 50000, full 500000)',
  },
  {
    name: 'drain-timeout',
    value: 'S',
    help: 'longest wait for the sink to commit everything after a phase (quick 30, full 180)',
  },
  {
    name: 'baseline-seconds',
    value: 'S',
    help: 'seconds the per-event baseline sink runs; 0 skips it (quick 5, full 30)',
  },
  {
    name: 'ceiling-seconds',
    value: 'S',
    help: 'seconds each ceiling measures (Kafka produce, COPY, Redis SET, adgate writeEvents); 0 skips them (quick 2, full 10)',
  },
  {
    name: 'ceiling-records',
    value: 'N',
    help: 'at most this many records for Kafka ProducerPerformance (it also stops after --ceiling-seconds) and ConsumerPerformance (quick 1000000, full 5000000)',
  },
  {
    name: 'ceiling-sample',
    value: 'N',
    help: 'rows generated for the COPY and Redis ceilings (quick 100000, full 300000)',
  },
  {
    name: 'dedup-buckets',
    value: 'N',
    help: "the gateway's ADGATE_DEDUP_REDIS_BUCKETS, sized by the README's rule (keys a run writes ÷ 256) (quick 1024, full 16384)",
  },
  {
    name: 'gateway-env',
    value: 'K=V',
    help: 'extra environment for the gateway under test (repeatable), e.g. ADGATE_BATCH_MAX_EVENTS=10000',
  },
  {
    name: 'gateway-log-level',
    value: 'L',
    fallback: 'info',
    help: "the gateway's ADGATE_LOG_LEVEL (its output is kept in gateway.log)",
  },
  { name: 'progress-every', value: 'S', fallback: '5', help: 'seconds between progress lines' },
  {
    name: 'sample-every',
    value: 'MS',
    fallback: '500',
    help: 'milliseconds between lag and process samples',
  },
  {
    name: 'out',
    value: 'DIR',
    help: 'results go to DIR/<timestamp>/ (default loadtest/out of the repository)',
  },
  { name: 'keep', help: 'keep the databases, topics and Redis keys of the run' },
  {
    name: 'profile',
    help: "write the gateway's CPU profile to gateway.cpuprofile (Chrome DevTools, speedscope)",
  },
  ...SERVER_OPTIONS,
  {
    name: 'kafka-libs',
    value: 'DIR',
    help: 'Kafka jars with kafka-tools; default $ADGATE_STACK_DIR/kafka-4.3.1/libs',
  },
  { name: 'help', help: 'this text' },
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

export function helpText(): string {
  return `adgate benchmark: throughput, latency and exactness on a realistic ad-event mix,
beside a per-event baseline and each stage's own ceiling.

usage: node dist/loadtest/bench/run-bench.js [options]     (npm run bench / npm run bench:full)

It creates its own topics, consumer groups, Redis key prefix and databases,
measures the stage ceilings (Kafka ProducerPerformance/ConsumerPerformance, raw
COPY, pipelined Redis SET), starts \`adgate serve\` in a child process, drives
load at the max rate then at half of what was sustained, waits for the sink to
commit everything, verifies PostgreSQL and the DLQ against the generator's
record, runs the per-event baseline on the same topic, and writes
result.json, report.html and gateway.log to --out/<timestamp>/.
Exit status: 0 on PASS, 1 on FAIL, 2 on a usage error.

options:
${optionLines(OPTIONS)}
`;
}

export class UsageError extends Error {}

/** What the command line said: the values given (flags as 'true') and every --gateway-env. */
export interface GivenOptions {
  readonly given: ReadonlyMap<string, string>;
  readonly gatewayEnv: Readonly<Record<string, string>>;
}

/** Splits argv by `specs` (`--name value` or `--name=value`); 'help' on -h/--help. */
export function readArgv(
  argv: readonly string[],
  specs: readonly OptionSpec[],
): GivenOptions | 'help' {
  const given = new Map<string, string>();
  const gatewayEnv: Record<string, string> = {};
  const known = new Map(specs.map((o) => [o.name, o]));
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '-h' || arg === '--help') return 'help';
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${arg}`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = known.get(name);
    if (spec === undefined) throw new UsageError(`unknown option --${name} (see --help)`);
    let value = 'true';
    if (spec.value !== undefined) {
      if (eq >= 0) value = arg.slice(eq + 1);
      else {
        const next = argv[i + 1];
        if (next === undefined) throw new UsageError(`--${name} needs a value (${spec.value})`);
        value = next;
        i += 1;
      }
    }
    if (name === 'gateway-env') {
      const at = value.indexOf('=');
      if (at <= 0) throw new UsageError(`--gateway-env wants KEY=VALUE, got ${value}`);
      gatewayEnv[value.slice(0, at)] = value.slice(at + 1);
    } else given.set(name, value);
  }
  return { given, gatewayEnv };
}

/** Typed readers of option values: given, else `defaults(name)`, else the spec's fallback. */
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

/** The servers a run talks to: options, else $ADGATE_BENCH_*, else the local stack. */
export function readServers(given: ReadonlyMap<string, string>): {
  kafkaBrokers: string;
  redisUrl: string;
  pgAdminUrl: string;
} {
  return {
    kafkaBrokers:
      given.get('kafka-brokers') ?? process.env.ADGATE_BENCH_KAFKA_BROKERS ?? '127.0.0.1:9092',
    redisUrl:
      given.get('redis-url') ?? process.env.ADGATE_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    pgAdminUrl:
      given.get('pg-admin-url') ??
      process.env.ADGATE_BENCH_PG_ADMIN_URL ??
      `postgres://${userInfo().username}@127.0.0.1:5432/postgres`,
  };
}

/** Where results go by default: loadtest/out of the repository. */
export const DEFAULT_OUT_DIR = join(REPO, 'loadtest', 'out');

function powerOfTwo(n: number, name: string): number {
  if ((n & (n - 1)) !== 0) throw new UsageError(`--${name} must be a power of two`);
  return n;
}

export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  const read = readArgv(argv, OPTIONS);
  if (read === 'help') return 'help';
  const { given, gatewayEnv } = read;
  const mode = given.get('mode') ?? 'quick';
  if (mode !== 'quick' && mode !== 'full') throw new UsageError('--mode is quick or full');
  const { raw, num, int } = optionReader(given, OPTIONS, (name) => MODE_DEFAULTS[mode][name]);
  const ingress = raw('ingress');
  if (ingress !== 'http' && ingress !== 'kafka' && ingress !== 'mixed') {
    throw new UsageError('--ingress is mixed, http or kafka');
  }
  const rateText = raw('rate');
  const rate = rateText === 'max' ? 'max' : num('rate', 1);
  const nowMs = readNow(given);
  return {
    mode,
    seed: int('seed', 0, 2 ** 32 - 1),
    nowMs,
    duration: num('duration', 1),
    rate,
    halfDuration: num('half-duration', 0),
    warmup: num('warmup', 0),
    ingress,
    kafkaShare: ingress === 'mixed' ? num('kafka-share', 0, 1) : ingress === 'kafka' ? 1 : 0,
    batchSize: int('batch-size', 1, 5_000),
    connections: int('connections', 1, 1_024),
    kafkaBatch: int('kafka-batch', 1, 100_000),
    kafkaInFlight: int('kafka-in-flight', 1, 64),
    duplicates: num('duplicates', 0, 1),
    retries: num('retries', 0, 1),
    outOfOrder: num('out-of-order', 0, 1),
    malformed: num('malformed', 0, 1),
    chunkSize: int('chunk-size', 100),
    campaigns: int('campaigns', 1),
    ads: int('ads', 1),
    publishers: int('publishers', 1),
    partitions: int('partitions', 1, 1_000),
    maxLag: int('max-lag', 1),
    drainTimeout: num('drain-timeout', 1),
    baselineSeconds: num('baseline-seconds', 0),
    ceilingSeconds: num('ceiling-seconds', 0),
    ceilingRecords: int('ceiling-records', 1_000),
    ceilingSample: int('ceiling-sample', 1_000),
    dedupBuckets: powerOfTwo(int('dedup-buckets', 1, 2 ** 24), 'dedup-buckets'),
    gatewayEnv,
    gatewayLogLevel: raw('gateway-log-level'),
    progressEvery: num('progress-every', 0.5),
    sampleEveryMs: int('sample-every', 50),
    outDir: given.get('out') ?? DEFAULT_OUT_DIR,
    keep: given.get('keep') === 'true',
    profile: given.get('profile') === 'true',
    ...readServers(given),
    kafkaLibs: given.get('kafka-libs') ?? join(STACK_DIR, 'kafka-4.3.1', 'libs'),
  };
}
