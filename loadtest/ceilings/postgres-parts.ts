/**
 * PostgreSQL's share per event, part by part: the sink's write path
 * (src/store/sql/insert-from-staging.sql) cut into cumulative steps, each
 * run on fresh distinct rows of the bench's stream, 5,000 a transaction
 * (--batch), the steps alternating round after round, in a scratch database migrated
 * like the gateway's (dropped at the end). Per step: the backend's CPU
 * (/proc/<pid>/stat of the connection's backend, so the server must run
 * on this machine), its wall time and its WAL, per event. Variants run
 * the same steps in a second scratch database without ad_events' primary
 * key (the second guard behind event_keys) or without billing_hourly's two
 * secondary indexes, to price those alone.
 *
 *   node dist/loadtest/ceilings/postgres-parts.js [--rounds 8] [--batch 5000] [--pg-admin-url URL]
 *
 * A diagnosis, not a ceiling: the steps differ by one statement, so
 * compare them within one run (a loaded machine moves every figure).
 */
import { readFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { readBeside } from '../../src/shared/read-beside.js';
import { BEGIN_WITHOUT_JIT } from '../../src/store/begin-without-jit.js';
import { COPY_COLUMNS, CopyEncoder, type EventRow } from '../../src/store/encode-copy-rows.js';
import { migrate } from '../../src/store/migrate.js';
import { createLogger } from '../../src/telemetry/logger.js';
import {
  type OptionSpec,
  optionLines,
  optionReader,
  readArgv,
  readPgAdminUrl,
  SERVER_OPTIONS,
  UsageError,
} from '../common/options.js';
import { distinctRows, sampleStream } from './sample-rows.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'rounds', value: 'R', fallback: '8', help: 'rounds of every step, alternating' },
  {
    name: 'batch',
    value: 'N',
    fallback: '5000',
    help: 'events a transaction, as a sink flush writes them',
  },
  ...SERVER_OPTIONS.filter((o) => o.name === 'pg-admin-url'),
  { name: 'help', help: 'this text' },
];
const USAGE = `usage: postgres-parts.js [options]
${optionLines(OPTIONS)}
Prints each step's backend CPU, wall time and WAL per event.
`;
const STORE_SQL = '../../src/store/sql/';
const sql = (file: string) => readBeside(import.meta.url, `${STORE_SQL}${file}`);
const ARBITER = sql('insert-from-staging.sql');
const KEYS_ONLY = `INSERT INTO event_keys (idempotency_key)
  SELECT idempotency_key FROM adgate_staging ORDER BY idempotency_key
  ON CONFLICT (idempotency_key) DO NOTHING`;
// The arbiter statement up to its billing upsert: event_keys and ad_events.
const WITHOUT_BILLING = `${ARBITER.slice(0, ARBITER.indexOf('hourly AS (')).replace(/,\s*$/, '')}
SELECT (SELECT count(*) FROM inserted)::integer AS inserted`;

type Database = 'main' | 'no_pk' | 'no_billing_indexes';
interface Step {
  readonly name: string;
  readonly database: Database;
  readonly statements: readonly string[];
}

const STEPS: readonly Step[] = [
  { name: 'COPY into staging', database: 'main', statements: [] },
  { name: '+ event_keys insert', database: 'main', statements: [KEYS_ONLY] },
  { name: '+ ad_events insert', database: 'main', statements: [WITHOUT_BILLING] },
  { name: '+ billing upsert (arbiter)', database: 'main', statements: [ARBITER] },
  { name: '+ offsets (= writeEvents)', database: 'main', statements: [ARBITER, 'offsets'] },
  { name: 'no ad_events pkey: + ad_events', database: 'no_pk', statements: [WITHOUT_BILLING] },
  { name: 'no ad_events pkey: + billing', database: 'no_pk', statements: [ARBITER] },
  {
    name: 'no billing 2nd indexes: + billing',
    database: 'no_billing_indexes',
    statements: [ARBITER],
  },
];

const ALTERATIONS: Record<Database, string | undefined> = {
  main: undefined,
  no_pk: 'ALTER TABLE ad_events DROP CONSTRAINT ad_events_pkey',
  no_billing_indexes: 'DROP INDEX billing_hourly_changes; DROP INDEX billing_hourly_publisher',
};

interface Connection {
  readonly client: pg.Client;
  readonly backendPid: number;
  readonly encoder: CopyEncoder;
}

interface Tally {
  cpuUs: number;
  walBytes: number;
  events: number;
  readonly wallUs: number[];
}

/** utime + stime of a process, in µs (clock ticks of 10 ms). */
function cpuUsOf(pid: number): number {
  const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

async function connect(url: string, days: readonly string[], alter?: string): Promise<Connection> {
  await migrate(url, createLogger('error'));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const day of days) await client.query('SELECT adgate_ensure_day_partition($1::date)', [day]);
  if (alter !== undefined) await client.query(alter);
  await client.query(sql('create-staging.sql'));
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return { client, backendPid: rows[0]?.pid ?? 0, encoder: new CopyEncoder() };
}

async function runStep(step: Step, db: Connection, rows: readonly EventRow[], tally: Tally) {
  const { client } = db;
  const copyText = db.encoder.encode(rows);
  const lsn = await client.query<{ l: string }>('SELECT pg_current_wal_lsn() AS l');
  const cpuBefore = cpuUsOf(db.backendPid);
  const started = performance.now();
  // As writeEvents runs it: without JIT, which the arbiter would compile at every batch.
  await client.query(BEGIN_WITHOUT_JIT);
  await pipeline(
    (async function* () {
      yield copyText;
    })(),
    client.query(copyFrom(`COPY adgate_staging (${COPY_COLUMNS.join(', ')}) FROM STDIN`)),
  );
  for (const statement of step.statements) {
    if (statement === 'offsets') {
      await client.query(sql('record-offsets.sql'), ['parts', 'parts', [0], [String(rows.length)]]);
    } else await client.query(statement);
  }
  await client.query('COMMIT');
  tally.wallUs.push(((performance.now() - started) * 1000) / rows.length);
  // The backend's last tick reaches /proc a moment after its answer.
  await new Promise((resolve) => setTimeout(resolve, 30));
  tally.cpuUs += cpuUsOf(db.backendPid) - cpuBefore;
  const wal = await client.query<{ d: string }>(
    'SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1) AS d',
    [lsn.rows[0]?.l],
  );
  tally.walBytes += Number(wal.rows[0]?.d ?? 0);
  tally.events += rows.length;
}

function freshRows(rounds: number, batch: number): EventRow[] {
  const wanted = Math.ceil(batch * rounds * STEPS.length * 1.15);
  const stream = { seed: 42, duplicateShare: 0.1, malformedShare: 0, outOfOrderShare: 0.1 };
  return distinctRows(sampleStream({ ...stream, chunkSize: 5_000 }, wanted).rows);
}

async function main(argv: readonly string[]): Promise<void> {
  const given = readArgv(argv, OPTIONS);
  if (given === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const read = optionReader(given.given, OPTIONS);
  const rounds = read.int('rounds', 1);
  const batch = read.int('batch', 1);
  const adminUrl = readPgAdminUrl(given.given);
  const rows = freshRows(rounds, batch);
  const days = [...new Set(rows.map((r) => r.event.occurred_at.slice(0, 10)))];
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const names = new Map<Database, string>();
  const connections = new Map<Database, Connection>();
  try {
    for (const database of new Set(STEPS.map((s) => s.database))) {
      const name = `parts_${process.pid}_${database}`;
      await admin.query(`CREATE DATABASE ${name}`);
      names.set(database, name);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      connections.set(database, await connect(url.href, days, ALTERATIONS[database]));
    }
    const tallies = STEPS.map((): Tally => ({ cpuUs: 0, walBytes: 0, events: 0, wallUs: [] }));
    let next = 0;
    for (let round = 0; round < rounds; round += 1) {
      for (const [i, step] of STEPS.entries()) {
        const events = rows.slice(next, next + batch);
        next += batch;
        const db = connections.get(step.database) as Connection;
        await runStep(step, db, events, tallies[i] as Tally);
      }
    }
    report(rows.length, { rounds, batch }, tallies);
  } finally {
    for (const { client } of connections.values()) await client.end().catch(() => undefined);
    for (const name of names.values()) await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.end();
  }
}

function report(
  rowCount: number,
  { rounds, batch }: { rounds: number; batch: number },
  tallies: readonly Tally[],
): void {
  const lines = [
    `${rowCount} distinct rows of the bench's stream; ${rounds} rounds of ${batch} per step, alternating`,
    `${'step'.padEnd(36)} ${'backend CPU'.padStart(14)} ${'wall (median)'.padStart(14)} ${'WAL'.padStart(10)}`,
  ];
  for (const [i, step] of STEPS.entries()) {
    const t = tallies[i] as Tally;
    const wall = [...t.wallUs].sort((a, b) => a - b)[t.wallUs.length >> 1] ?? 0;
    const cpu = `${(t.cpuUs / t.events).toFixed(1)} µs/ev`;
    const walPer = `${(t.walBytes / t.events).toFixed(0)} B/ev`;
    lines.push(
      `${step.name.padEnd(36)} ${cpu.padStart(14)} ${`${wall.toFixed(1)} µs/ev`.padStart(14)} ${walPer.padStart(10)}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`postgres-parts: ${error.message}\n${USAGE}`);
    process.exit(2);
  }
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
