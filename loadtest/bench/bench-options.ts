import { join } from 'node:path';
import {
  type CommonOptions,
  type OptionSpec,
  optionLines,
  optionReader,
  readArgv,
  readCommonOptions,
  SERVER_OPTIONS,
  STACK_DIR,
  STREAM_SHARE_OPTIONS,
  UsageError,
} from '../common/options.js';

export type BenchMode = 'quick' | 'full';
export type Ingress = 'http' | 'kafka' | 'mixed';

export interface BenchOptions extends CommonOptions {
  readonly mode: BenchMode;
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
  readonly chunkSize: number;
  /** Messages generated and serialised before a max-rate phase's window. */
  readonly prepare: number;
  readonly campaigns: number;
  readonly ads: number;
  readonly publishers: number;
  /** In max mode, the load pauses while the consumer lag is above this. */
  readonly maxLag: number;
  readonly drainTimeout: number;
  readonly baselineSeconds: number;
  readonly ceilingSeconds: number;
  readonly ceilingRecords: number;
  readonly ceilingSample: number;
  /** The gateway's ADGATE_DEDUP_REDIS_BUCKETS, sized for the run's keys. */
  readonly dedupBuckets: number;
  readonly profile: boolean;
  /** Run the gateway with ADGATE_OTLP_TRACES_URL at a local OTLP/HTTP receiver. */
  readonly tracing: boolean;
  /** --backlog N: the backlog-drain mode with N messages (0: the load phases). */
  readonly backlog: number;
  readonly kafkaLibs: string;
}

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
    prepare: '800000',
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
    prepare: '4000000',
  },
};

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
    // Chunks are generated before the timed window, so their size no
    // longer blocks a phase; a phase ends at a chunk's end, so it may run
    // on for one chunk past its duration.
    fallback: '10000',
    help: 'distinct events generated at a time; a phase ends at a chunk boundary',
  },
  {
    name: 'prepare',
    value: 'N',
    help: 'messages generated and serialised before a max-rate phase (the window sends them, nothing is generated in it; a phase that empties them ends early); a phase at a set rate prepares rate × duration × 1.2 (quick 800000, full 4000000)',
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
    name: 'tracing',
    help: "export the gateway's traces (ADGATE_OTLP_TRACES_URL) to a local OTLP/HTTP receiver in this process: the CPU figures are then with tracing on (compare with a run without)",
  },
  {
    name: 'backlog',
    value: 'N',
    fallback: '0',
    help: 'backlog mode instead of the load phases: N messages of the stream written to the topic first (Kafka-direct, untimed), then the gateway with the sink alone (ADGATE_ROLES=sink), timed from its first partition assignment to the last commit',
  },
  {
    name: 'profile',
    help: "write the gateway's CPU profile to gateway.cpuprofile (Chrome DevTools, speedscope)",
  },
  ...SERVER_OPTIONS,
  {
    name: 'kafka-libs',
    value: 'DIR',
    help: 'Kafka jars with kafka-tools; default $STACK_DIR/kafka-4.3.1/libs',
  },
  { name: 'help', help: 'this text' },
];

export function helpText(): string {
  return `adgate benchmark: throughput, latency and exactness on a realistic ad-event mix,
beside a per-event baseline and each stage's own ceiling.

usage: node dist/loadtest/bench/run-bench.js [options]     (npm run bench / npm run bench:full)

It creates its own topics, consumer groups, Redis key prefix and databases,
measures the stage ceilings (Kafka ProducerPerformance/ConsumerPerformance, raw
COPY, pipelined Redis SET) and their pipeline ceiling 1/Σ(1/ceiling), starts
\`adgate serve\` in a child process (sampled over its whole process tree: CPU by
role when it has --worker ingress/sink processes), generates and serialises
each phase's messages before its timed window (--prepare), drives load at the
max rate then at half of what was sustained, waits for the sink to commit
everything, verifies PostgreSQL and the DLQ against the generator's record,
runs the per-event baseline on the same topic, and writes result.json,
report.html and gateway.log to --out/<timestamp>/.

With --backlog N it writes N messages into the topic first (Kafka-direct,
untimed), starts the gateway with the sink alone (ADGATE_ROLES=sink) and times
it from its first partition assignment until the group has committed the
topic end, with every row verified, instead of the load phases.
Exit status: 0 on PASS, 1 on FAIL, 2 on a usage error.

options:
${optionLines(OPTIONS)}
`;
}

function powerOfTwo(n: number, name: string): number {
  if ((n & (n - 1)) !== 0) throw new UsageError(`--${name} must be a power of two`);
  return n;
}

export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  const read = readArgv(argv, OPTIONS);
  if (read === 'help') return 'help';
  const mode = read.given.get('mode') ?? 'quick';
  if (mode !== 'quick' && mode !== 'full') throw new UsageError('--mode is quick or full');
  const reader = optionReader(read.given, OPTIONS, (name) => MODE_DEFAULTS[mode][name]);
  const { raw, num, int } = reader;
  const ingress = raw('ingress');
  if (ingress !== 'http' && ingress !== 'kafka' && ingress !== 'mixed') {
    throw new UsageError('--ingress is mixed, http or kafka');
  }
  const rateText = raw('rate');
  return {
    ...readCommonOptions(read, reader, { min: 1 }),
    mode,
    duration: num('duration', 1),
    rate: rateText === 'max' ? 'max' : num('rate', 1),
    halfDuration: num('half-duration', 0),
    warmup: num('warmup', 0),
    ingress,
    kafkaShare: ingress === 'mixed' ? num('kafka-share', 0, 1) : ingress === 'kafka' ? 1 : 0,
    batchSize: int('batch-size', 1, 5_000),
    connections: int('connections', 1, 1_024),
    kafkaBatch: int('kafka-batch', 1, 100_000),
    kafkaInFlight: int('kafka-in-flight', 1, 64),
    chunkSize: int('chunk-size', 100),
    prepare: int('prepare', 1_000),
    campaigns: int('campaigns', 1),
    ads: int('ads', 1),
    publishers: int('publishers', 1),
    maxLag: int('max-lag', 1),
    drainTimeout: num('drain-timeout', 1),
    baselineSeconds: num('baseline-seconds', 0),
    ceilingSeconds: num('ceiling-seconds', 0),
    ceilingRecords: int('ceiling-records', 1_000),
    ceilingSample: int('ceiling-sample', 1_000),
    dedupBuckets: powerOfTwo(int('dedup-buckets', 1, 2 ** 24), 'dedup-buckets'),
    profile: read.given.get('profile') === 'true',
    tracing: read.given.get('tracing') === 'true',
    backlog: int('backlog', 0),
    kafkaLibs: read.given.get('kafka-libs') ?? join(STACK_DIR, 'kafka-4.3.1', 'libs'),
  };
}
