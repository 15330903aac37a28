import pg from 'pg';
import type { ExpectedTotals } from '../../testkit/stream/expected-totals.js';
import type { ChunkedStreamOptions } from '../../testkit/stream/generate-chunks.js';
import { generateChunks } from '../../testkit/stream/generate-chunks.js';
import type { BenchRun } from '../common/bench-run.js';
import { driveLoad, type PhaseLoad } from '../load/drive-load.js';
import { KafkaLoad, keyPartitioner } from '../load/kafka-load.js';
import { PreparedStream } from '../load/prepared-stream.js';
import { readOffsets } from '../measure/measure-lag.js';
import { fmtInt } from '../report/report-table.js';
import { Instance } from '../rolling/instance.js';
import type { BenchOptions } from './bench-options.js';
import type { BacklogFigures, Check } from './bench-result.js';
import {
  type BenchFiles,
  type GatewayUnderTest,
  startGatewayUnderTest,
} from './gateway-under-test.js';
import { cpuPerMessage, roleCores } from './run-phase.js';

/** The gateway of a backlog run: the sink alone (ADGATE_ROLES stays valid when workers come). */
export const BACKLOG_GATEWAY_ENV = { ADGATE_ROLES: 'sink' } as const;

/** What the backlog mode measured, for the checks and the report. */
export interface BacklogRun {
  readonly figures: BacklogFigures;
  /** The untimed write, for the checks (DLQ = malformed written, no send given up on). */
  readonly write: PhaseLoad;
  readonly checks: readonly Check[];
}

/** What a run measures with: its resources, options, stream and where its files go. */
export interface MeasureInputs {
  readonly run: BenchRun;
  readonly options: BenchOptions;
  readonly stream: ChunkedStreamOptions;
  readonly expected: ExpectedTotals;
  readonly databaseUrl: string;
  readonly files: BenchFiles;
}

/**
 * `--backlog N`: N messages of the stream written straight into the
 * topic first, as fast as kafkajs takes them and untimed; then the
 * gateway started with the sink alone and timed from its first partition
 * assignment to the group's committed offsets reaching the topic end,
 * with the expected row count in PostgreSQL: the catch-up speed after an
 * outage. `live.gut` is set as soon as the gateway runs, so that the
 * caller stops it whatever happens.
 */
export async function runBacklog(
  inputs: MeasureInputs,
  live: { gut?: GatewayUnderTest },
): Promise<BacklogRun> {
  const { run, options, stream, expected, databaseUrl, files } = inputs;
  const prepared = new PreparedStream(
    generateChunks(stream),
    expected,
    {
      seed: options.seed,
      kafkaShare: 1,
      retryShare: 0,
      batchSize: options.batchSize,
      kafkaBatch: options.kafkaBatch,
    },
    keyPartitioner(run.names.topic, options.partitions),
  );
  const preparation = await prepared.prepare(options.backlog);
  const { units, expected: written } = prepared.drain();
  run.say(
    `backlog: prepared ${fmtInt(preparation.messages)} messages in ${preparation.seconds.toFixed(1)} s; writing them to ${run.names.topic}`,
  );
  const write = await writeBacklog(run, options, units);
  expected.merge(written);
  const writeSeconds = ((write.endedAtMs ?? Date.now()) - write.startedAtMs) / 1000;
  run.say(
    `backlog: wrote ${fmtInt(write.kafka.messages)} messages in ${writeSeconds.toFixed(1)} s (${fmtInt(write.kafka.messages / Math.max(0.001, writeSeconds))}/s), ${write.kafka.failed} sends given up on`,
  );
  const gut = await startGatewayUnderTest(run, options, databaseUrl, files, BACKLOG_GATEWAY_ENV);
  live.gut = gut;
  gut.progress.stage = 'backlog drain';
  const total = write.kafka.messages;
  const timeoutMs = Math.max(options.drainTimeout * 1000, total / 2);
  const done = await waitCommitted(run, total, timeoutMs);
  gut.progress.stage = '';
  const rowsAtEnd = await countRows(databaseUrl);
  // Let the samplers see the drained state before the window closes.
  await new Promise((r) => setTimeout(r, options.sampleEveryMs * 2));
  gut.proc.sample();
  const started = startSignal(gut);
  const figures = backlogFigures(gut, {
    messages: total,
    distinct: expected.distinct,
    preparation,
    write: { seconds: writeSeconds, failed: write.kafka.failed },
    started,
    done,
    rowsAtEnd,
  });
  run.say(
    `backlog: ${fmtInt(figures.perSecond)} msg/s from the first partition assignment to the last commit (${figures.seconds.toFixed(2)} s), sink ${figures.cpuPerMessageUs.gateway?.toFixed(1)} µs CPU per message`,
  );
  return { figures, write, checks: backlogChecks(figures) };
}

/** Every unit into the topic, several sends in flight, untimed. */
async function writeBacklog(
  run: BenchRun,
  options: BenchOptions,
  units: ReturnType<PreparedStream['drain']>['units'],
): Promise<PhaseLoad> {
  const kafka = new KafkaLoad(run.kafka, run.names.topic);
  await kafka.connect();
  let next = 0;
  try {
    return await driveLoad({ next: () => units[next++] }, undefined, kafka, {
      name: 'backlog write',
      rate: 'max',
      durationMs: Number.POSITIVE_INFINITY,
      httpSlots: 1,
      kafkaSlots: Math.max(8, options.kafkaInFlight),
    });
  } finally {
    await kafka.close().catch(() => undefined);
  }
}

/**
 * Polls the group's committed offsets every 50 ms until they reach
 * `total`: the last commit happened between the previous poll and this
 * one, so the instant is known to about 50 ms plus a round trip.
 */
async function waitCommitted(
  run: BenchRun,
  total: number,
  timeoutMs: number,
): Promise<{ drained: boolean; at: number; lag: number }> {
  const started = Date.now();
  for (;;) {
    const asked = Date.now();
    const offsets = await readOffsets(run.admin, run.names.topic, run.names.group).catch(
      () => undefined,
    );
    const answered = Date.now();
    if (offsets !== undefined && offsets.committed >= total && offsets.end >= total) {
      return { drained: true, at: (asked + answered) / 2, lag: 0 };
    }
    if (answered - started > timeoutMs) {
      const lag = offsets === undefined ? total : offsets.end - offsets.committed;
      return { drained: false, at: answered, lag };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function countRows(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM ad_events');
    return result.rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

/** The first non-empty `partitions assigned` line any sink process logged; else the gateway's ready. */
function startSignal(gut: GatewayUnderTest): BacklogFigures['start'] {
  const assigned = new Instance('sink', gut.gateway).firstPartitionsAt();
  if (assigned !== undefined) return { at: assigned, signal: 'partitions assigned' };
  return { at: gut.startedAt, signal: 'gateway ready (no partitions assigned line in its log)' };
}

interface BacklogFacts {
  readonly messages: number;
  readonly distinct: number;
  readonly preparation: BacklogFigures['preparation'];
  readonly write: { readonly seconds: number; readonly failed: number };
  readonly started: BacklogFigures['start'];
  readonly done: { drained: boolean; at: number; lag: number };
  readonly rowsAtEnd: number;
}

function backlogFigures(gut: GatewayUnderTest, f: BacklogFacts): BacklogFigures {
  const from = f.started.at;
  const to = f.done.at;
  const seconds = Math.max(0.001, (to - from) / 1000);
  const perSecond = f.messages / seconds;
  const cores = {
    committedPerSecond: perSecond,
    gatewayCores: gut.proc.cpuSecondsBetween(from, to) / seconds,
    gatewayRoles: roleCores(gut.proc, from, to),
    // This process only polls offsets in the window: no load is generated.
    benchCores: 0,
    serviceCores: gut.services.coresBetween(from, to),
  };
  const { loadGenerator: _none, ...cpuPerMessageUs } = cpuPerMessage(cores);
  const reading = gut.proc.lastReading;
  return {
    messages: f.messages,
    distinct: f.distinct,
    preparation: f.preparation,
    write: {
      seconds: f.write.seconds,
      perSecond: f.messages / Math.max(0.001, f.write.seconds),
      failed: f.write.failed,
    },
    start: f.started,
    committedAt: to,
    seconds,
    perSecond,
    drained: f.done.drained,
    lagAtEnd: f.done.lag,
    rowsAtEnd: f.rowsAtEnd,
    gatewayCores: cores.gatewayCores,
    gatewayRoles: cores.gatewayRoles,
    serviceCores: cores.serviceCores,
    machineBusy: gut.proc.machineBusyBetween(from, to),
    cpuPerMessageUs,
    ...(reading === undefined
      ? {}
      : {
          peakRssMb: reading.peakRssBytes / 1048576,
          hwmSumMb: reading.hwmSumBytes / 1048576,
          peakResidentMb: reading.peakResidentBytes / 1048576,
        }),
    sinkProcesses: reading?.maxProcesses.sink ?? 0,
  };
}

function backlogChecks(b: BacklogFigures): Check[] {
  return [
    {
      name: 'backlog: committed offsets reached the topic end',
      expected: fmtInt(b.messages),
      actual: b.drained ? fmtInt(b.messages) : `lag ${fmtInt(b.lagAtEnd)}`,
      ok: b.drained,
    },
    {
      name: 'backlog: rows in ad_events when the offsets reached the end',
      expected: fmtInt(b.distinct),
      actual: fmtInt(b.rowsAtEnd),
      ok: b.rowsAtEnd === b.distinct,
    },
    {
      name: 'backlog: timed from the first partition assignment',
      expected: 'partitions assigned',
      actual: b.start.signal,
      ok: b.start.signal === 'partitions assigned',
    },
  ];
}
