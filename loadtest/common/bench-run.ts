import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Admin, Kafka } from 'kafkajs';
import { createPool } from '../../src/store/create-pool.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { cleanUpOnInterrupt } from '../../testkit/kill-groups-on-exit.js';
import type { ExpectedTotals } from '../../testkit/stream/expected-totals.js';
import { type Verdict, verifyTotals } from '../../testkit/verify-outcome.js';
import { topicEnd } from '../measure/measure-lag.js';
import type { CommonOptions } from './options.js';
import {
  type BenchNames,
  benchNames,
  createDatabase,
  createKafka,
  createTopics,
  removeResources,
} from './resources.js';
import { createSay } from './say.js';

/**
 * What every benchmark run has from its start to its cleanup: its own
 * names (topics, group, Redis prefix, databases), the clients it talks to
 * the servers with, and its output folder.
 */
export interface BenchRun {
  readonly startedAt: Date;
  readonly outDir: string;
  readonly names: BenchNames;
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly redis: Redis;
  readonly loadAtStart: readonly number[];
  readonly say: (message: string) => void;
}

/** Names, clients and the output folder `<out>/<timestamp><suffix>/` of a new run. */
export async function openRun(
  kind: 'bench' | 'rolling',
  options: CommonOptions,
  outSuffix = '',
): Promise<BenchRun> {
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const outDir = join(options.outDir, `${stamp}${outSuffix}`);
  await mkdir(outDir, { recursive: true });
  const kafka = createKafka(options.kafkaBrokers);
  const admin = kafka.admin();
  await admin.connect();
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 2 });
  const names = benchNames(kind);
  const run: BenchRun = {
    startedAt,
    outDir,
    names,
    kafka,
    admin,
    redis,
    loadAtStart: loadavg(),
    say: createSay(),
  };
  // Ctrl-C: the gateway is killed (testkit/kill-groups-on-exit.ts), then this.
  cleanupOnInterrupt.set(
    run,
    cleanUpOnInterrupt(async () => {
      run.say('interrupted: the gateway is stopped; removing what the run created');
      await closeRun(run, options);
    }),
  );
  return run;
}

/** Per open run, what unregisters its cleanup on an interrupt (closeRun does). */
const cleanupOnInterrupt = new WeakMap<BenchRun, () => void>();

/** `cpus` and the load average, for the run's first line. */
export function machineLine(run: BenchRun): string {
  const load = run.loadAtStart.map((n) => n.toFixed(2)).join(' ');
  return `${cpus().length} CPUs, load average ${load}; run ${run.names.base}`;
}

/** The run's database and its three topics (events, DLQ, dead); the database's URL. */
export async function createRunResources(run: BenchRun, options: CommonOptions): Promise<string> {
  run.say('setup: database, topics');
  const databaseUrl = await createDatabase(options.pgAdminUrl, run.names.database);
  const { topic, dlqTopic, deadTopic } = run.names;
  await createTopics(run.admin, [topic, dlqTopic, deadTopic], options.partitions);
  return databaseUrl;
}

/** Removes what the run created (unless --keep), then closes its clients. */
export async function closeRun(run: BenchRun, options: CommonOptions): Promise<void> {
  cleanupOnInterrupt.get(run)?.();
  const { names, say } = run;
  if (!options.keep) {
    say('cleanup: topics, groups, Redis keys, databases of this run (--keep to keep them)');
    const problems = await removeResources(names, run.admin, run.redis, options.pgAdminUrl);
    for (const p of problems) say(`cleanup: ${p}`);
  } else {
    say(
      `kept: topics ${names.topic}*, databases ${names.database}*, Redis prefix ${names.redisPrefix}`,
    );
  }
  await run.admin.disconnect().catch(() => undefined);
  run.redis.disconnect();
}

/** The machine a result was measured on. */
export interface MachineFacts {
  readonly cpus: number;
  readonly loadAverageAtStart: readonly number[];
  readonly loadAverageAtEnd: readonly number[];
  readonly node: string;
  readonly note: string;
}

export function machineFacts(run: BenchRun, note: string): MachineFacts {
  return {
    cpus: cpus().length,
    loadAverageAtStart: run.loadAtStart,
    loadAverageAtEnd: loadavg(),
    node: process.version,
    note,
  };
}

/** What the topics hold after a run, and PostgreSQL against the generator's record. */
export interface RunOutcome {
  readonly messagesInTopic: number;
  /** Messages in the DLQ and the dead-letter topic together. */
  readonly dlqMessages: number;
  readonly verdict: Verdict;
}

export async function readOutcome(
  run: BenchRun,
  databaseUrl: string,
  expected: ExpectedTotals,
): Promise<RunOutcome> {
  const { admin, names } = run;
  const messagesInTopic = await topicEnd(admin, names.topic);
  const dlqMessages =
    (await topicEnd(admin, names.dlqTopic)) + (await topicEnd(admin, names.deadTopic));
  const pool = createPool(databaseUrl, 2, createLogger('error'));
  try {
    return { messagesInTopic, dlqMessages, verdict: await verifyTotals(pool, expected) };
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/** Writes result.json and report.html, prints the table and where the files are. */
export async function writeReport(
  files: { readonly json: string; readonly html: string },
  result: unknown,
  html: string,
  table: string,
  more: readonly string[],
): Promise<void> {
  await writeFile(files.json, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(files.html, html);
  console.log('');
  console.log(table);
  console.log('');
  console.log(`result: ${files.json}`);
  console.log(`chart:  ${files.html}`);
  for (const line of more) console.log(line);
}
