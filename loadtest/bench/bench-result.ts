import type { Check } from '../../testkit/verify-outcome.js';
import type { BaselineResult } from '../baseline/per-event-sink.js';
import type { CeilingResult } from '../ceilings/kafka-perf.js';
import type { MachineFacts } from '../common/bench-run.js';
import type { Preparation } from '../load/prepared-stream.js';
import type { Latency } from '../measure/measure-metrics.js';
import type { Target } from '../report/report-table.js';

export type { Latency };

/**
 * The gateway's cores by role. `split: false`: `adgate serve` ran as one
 * process doing every role, whose cores are `oneProcess` (no per-role
 * figure exists then). `split: true`: a supervisor and worker processes,
 * by `--worker <role>` in their command lines.
 */
export type GatewayRoles =
  | { readonly split: false; readonly oneProcess: number }
  | {
      readonly split: true;
      readonly supervisor: number;
      readonly ingress: number;
      readonly sink: number;
      readonly other: number;
    };

/** What preparing a phase's messages before its window cost (load/prepared-stream.ts). */
export type { Preparation } from '../load/prepared-stream.js';

export interface PhaseFigures {
  readonly name: string;
  /** 'max', or the target in messages/s. */
  readonly target: number | 'max';
  /** Epoch ms of the load's start and end (the end is at a chunk boundary past --duration). */
  readonly startedAt: number;
  readonly endedAt: number;
  /** The window the rates are measured over: [start + warmup, end]. */
  readonly windowSeconds: number;
  /** Generating and serialising the messages before the window (not in any CPU figure of the window). */
  readonly preparation: Preparation;
  /** The prepared messages ran out before --duration: the phase ended early. */
  readonly ranOutOfPrepared: boolean;
  /** Messages handed to HTTP and Kafka per second (whole retries excluded). */
  readonly offeredPerSecond: number;
  /** Messages written to the ingest topic per second. */
  readonly producedPerSecond: number;
  /**
   * Messages the sink finished per second: inserted, duplicate or dead-lettered, each counted
   * after its PostgreSQL commit (adgate_sink_events_total, all outcomes). The headline figure.
   */
  readonly committedPerSecond: number;
  /** New rows in ad_events per second (adgate_sink_events_total{outcome="inserted"}). */
  readonly insertedPerSecond: number;
  /** Kafka group offsets committed per second (coarser: once per fetched partition batch). */
  readonly offsetsPerSecond: number;
  readonly httpAck: Latency;
  readonly kafkaAck: Latency;
  /** From the message timestamp to the PostgreSQL commit (gateway histogram, interpolated). */
  readonly eventToCommit: Latency;
  /**
   * The gateway's own answer time for POST /v1/events (adgate_http_ack_seconds):
   * beside the client's figure, it shows what the load generator's own
   * event loop adds.
   */
  readonly httpAckGateway: Latency;
  /**
   * How late the gateway's 20 ms timer fired (adgate_event_loop_lag_seconds):
   * the wait its own busy event loop adds to every request and callback.
   */
  readonly eventLoopLag: Latency;
  readonly maxLag: number;
  /** Sink flushes in the phase (and its drain): how many, mean messages and mean/p99 duration. */
  readonly flushes: {
    readonly count: number;
    readonly meanMessages: number;
    readonly meanMs: number;
    readonly p99Ms?: number;
    /** Mean milliseconds per flush in each stage (adgate_sink_stage_seconds), in pipeline order. */
    readonly stageMeanMs: Readonly<Record<string, number>>;
  };
  /** Cores the gateway used on average over the window: its whole process tree. */
  readonly gatewayCores: number;
  readonly gatewayRoles: GatewayRoles;
  /** Cores this benchmark process used in the phase (sending what was prepared, sampling). */
  readonly benchCores: number;
  /**
   * This process's CPU µs in the phase ÷ the messages it sent then: the
   * load generator's cost per message (issue 15: ≤ 3 µs), whatever the
   * gateway committed meanwhile. Nothing is generated in the window: it is
   * the HTTP client, the Kafka-direct produce requests (their batches
   * encoded beforehand) and the samplers.
   */
  readonly loadGeneratorUsPerSent: number;
  /** Cores PostgreSQL, Redis and Kafka used over the window (all their processes). */
  readonly serviceCores: {
    readonly postgres: number;
    readonly redis: number;
    readonly kafka: number;
  };
  /**
   * CPU µs per committed message: gateway (its whole tree), its roles
   * (supervisor, ingress, sink, other; or gatewayOneProcess when serve is
   * one process), loadGenerator (this process in the window), postgres,
   * redis, kafka.
   */
  readonly cpuPerMessageUs: Readonly<Record<string, number>>;
  /** Busy share of the whole machine (all processes) over the window. */
  readonly machineBusy: number;
  readonly pausedSeconds: number;
  readonly lateSends: number;
  readonly drain: { readonly drained: boolean; readonly seconds: number; readonly lag: number };
  readonly http: {
    readonly requests: number;
    readonly wholeRetries: number;
    readonly unavailable: number;
    readonly failed: Readonly<Record<string, number>>;
    readonly accepted: number;
    readonly rejected: number;
  };
  readonly kafka: {
    readonly sends: number;
    readonly messages: number;
    readonly failed: number;
    readonly retried: number;
  };
}

export type { Check, Target };

/** --backlog N: the sink alone catching up on N messages already in the topic. */
export interface BacklogFigures {
  /** Messages written to the topic before the gateway started (whole chunks, at least N). */
  readonly messages: number;
  /** Distinct events among them: the rows ad_events must hold. */
  readonly distinct: number;
  readonly preparation: Preparation;
  /** The untimed write, Kafka-direct (KafkaLoad). */
  readonly write: { readonly seconds: number; readonly perSecond: number; readonly failed: number };
  /** Epoch ms the clock started, and what said so (the sink's first non-empty assignment). */
  readonly start: { readonly at: number; readonly signal: string };
  /** Epoch ms the group's committed offsets were seen at the topic end (±50 ms and a round trip). */
  readonly committedAt: number;
  readonly seconds: number;
  /** messages ÷ seconds: the catch-up speed. */
  readonly perSecond: number;
  readonly drained: boolean;
  readonly lagAtEnd: number;
  /** count(*) of ad_events when the offsets reached the end. */
  readonly rowsAtEnd: number;
  readonly gatewayCores: number;
  readonly gatewayRoles: GatewayRoles;
  readonly serviceCores: PhaseFigures['serviceCores'];
  readonly machineBusy: number;
  /** CPU µs per message: gateway (the whole sink-only instance), its roles, postgres, redis, kafka. */
  readonly cpuPerMessageUs: Readonly<Record<string, number>>;
  /** Highest sampled Σ VmRSS of the instance's processes, and the highest Σ VmHWM (an upper bound). */
  readonly peakRssMb?: number;
  readonly hwmSumMb?: number;
  /** Highest sampled Σ VmRSS with the processes' file-backed pages counted once. */
  readonly peakResidentMb?: number;
  /** Most sink worker processes seen at once (0: serve ran as one process). */
  readonly sinkProcesses: number;
}

export interface SeriesPoint {
  /** Seconds since the gateway started. */
  readonly t: number;
  readonly produced: number;
  readonly committed: number;
  readonly lag: number;
}

export interface SinkPoint {
  readonly t: number;
  /** Cumulative messages finished by the sink (all outcomes). */
  readonly handled: number;
  readonly inserted: number;
}

export interface ProcessPoint {
  readonly t: number;
  /** Σ VmRSS of the gateway's processes. */
  readonly rssMb: number;
  /** The same with their file-backed pages (the node binary) counted once. */
  readonly residentMb: number;
  /** Cores of the whole tree since the previous sample. */
  readonly cores: number;
  /** The same by role, when the gateway has worker processes. */
  readonly roles?: { readonly supervisor: number; readonly ingress: number; readonly sink: number };
}

export interface BenchResult {
  readonly version: 1;
  readonly pass: boolean;
  readonly mode: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly options: Record<string, unknown>;
  readonly machine: MachineFacts;
  readonly names: Record<string, string>;
  readonly stream: {
    readonly distinct: number;
    readonly byType: Record<string, number>;
    readonly malformed: number;
    readonly messagesInTopic: number;
  };
  readonly checks: readonly Check[];
  readonly differences: readonly string[];
  readonly phases: readonly PhaseFigures[];
  readonly sustainedPerSecond: number;
  readonly limitedBy: string;
  readonly gateway: {
    /** Highest sampled Σ VmRSS of the gateway's process tree. */
    readonly peakRssMb?: number;
    /**
     * The same with the file-backed pages counted once, not once per
     * process: Σ (VmRSS − RssFile) + the largest RssFile. Every process is
     * `node`, and Σ VmRSS counts its binary's shared pages in each.
     */
    readonly peakResidentMb?: number;
    /** Highest Σ VmHWM of its processes: exact with one process, an upper bound with several. */
    readonly hwmSumMb?: number;
    /** Most processes of each role seen at once (supervisor, ingress, sink, other). */
    readonly processes?: Readonly<Record<string, number>>;
    readonly cpuSeconds?: number;
    readonly exitCode: number | null;
    readonly stopSeconds: number;
  };
  readonly redis: {
    readonly keys: number;
    readonly hashes: number;
    /** ADGATE_DEDUP_REDIS_BUCKETS of the gateway under test. */
    readonly buckets: number;
    /** INFO used_memory the dedup keys hold ÷ keys: what the brief asks. */
    readonly bytesPerKeyUsedMemory?: number;
    /** MEMORY USAGE of the run's own hashes ÷ keys: immune to other tenants. */
    readonly bytesPerKeyMemoryUsage?: number;
    /** used_memory the run's dedup keys hold, in bytes. */
    readonly dedupUsedMemoryBytes?: number;
    /**
     * 'freed by DEL': used_memory just before and after deleting them;
     * 'delta across the run' (with --keep): before the gateway started and
     * after it finished, which other clients of a shared server disturb.
     */
    readonly usedMemoryMethod: 'freed by DEL' | 'delta across the run';
    /** Bytes per additional key (slope of MEMORY USAGE against HLEN): the cost at scale. */
    readonly marginalBytesPerKey?: number;
    readonly bytesPerHash?: number;
    readonly encodings: Record<string, number>;
    readonly listpackMaxEntries?: number;
    /**
     * (HEXISTS + HSET + PEXPIREAT + HLEN calls during the run, the dedup scripts' inner
     * commands) ÷ messages the sink handled, from INFO commandstats: what the dedup store
     * costs Redis per message. Other clients of a shared server add to it.
     */
    readonly dedupCommandsPerMessage: number;
    /** EVALSHA + EVAL calls ÷ messages: the dedup store's round trips per message. */
    readonly dedupScriptCallsPerMessage: number;
    /** Every command's calls during the gateway's run (INFO commandstats delta). */
    readonly commandCalls: Record<string, number>;
  };
  readonly ceilings: readonly CeilingResult[];
  readonly slowestCeiling?: CeilingResult;
  readonly ratioToSlowestCeiling?: number;
  /** 1 / Σ (1 / stage ceiling): the stages share the cores (testkit/pipeline-ceiling.ts). */
  readonly pipelineCeiling?: number;
  /** The stages it is over, and those that could not be measured (left out: it is then too high). */
  readonly pipelineStages?: readonly string[];
  readonly pipelineStagesMissing?: readonly string[];
  readonly ratioToPipelineCeiling?: number;
  readonly backlog?: BacklogFigures;
  /**
   * --tracing: the gateway ran with ADGATE_OTLP_TRACES_URL at a local
   * receiver; every CPU figure is with tracing on. Export requests and bytes.
   */
  readonly tracing?: { readonly requests: number; readonly bytes: number };
  readonly baseline?: BaselineResult;
  readonly ratioToBaseline?: number;
  readonly targets: readonly Target[];
  readonly series: readonly SeriesPoint[];
  readonly sink: readonly SinkPoint[];
  readonly process: readonly ProcessPoint[];
  /** Phase spans on the series' time axis, in seconds. */
  readonly spans: readonly { readonly name: string; readonly from: number; readonly to: number }[];
  readonly files: Record<string, string>;
}
