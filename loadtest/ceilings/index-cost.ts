import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { COPY_COLUMNS, type EventRow, encodeCopyRows } from '../../src/store/encode-copy-rows.js';
import { migrate } from '../../src/store/migrate.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { streamDays } from '../bench/run-ceilings.js';
import { createDatabase, dropDatabase } from '../common/resources.js';
import { createSay } from '../common/say.js';
import { distinctRows, sampleStream } from './sample-rows.js';
import { writePathCeiling } from './write-path.js';

// Issue 13's cap: the billing indexes may slow the write path by at most
// 5%. The bench's write-path diagnosis (writeEvents alone, 5,000 distinct
// rows a transaction, on the bench's own stream: write-path.ts) in a fresh
// database per run, with every index, and without each billing index in
// turn; rounds alternate the variants so that a noisy neighbour hits them
// alike. Rows per second swing by a quarter on a shared machine, so each
// run also EXPLAINs (ANALYZE, BUFFERS, WAL) the arbiter statement on one
// held-back batch of 5,000 rows: its WAL bytes and buffer touches per row
// do not depend on the neighbours. A figure, not a test.
//
//   npm run build && node dist/loadtest/ceilings/index-cost.js [--rounds 3] ...

const HELP = `write-path cost of the billing indexes (issue 13)
  --admin-url URL   cluster to create the scratch databases on (default local)
  --sample N        messages of the bench's stream to write (200000)
  --rounds N        rounds; each runs every variant once, in turn (3)
  --variants LIST   comma-separated, of: all, no-changes, no-reconcile, no-publisher
  --campaigns N, --ads N, --publishers N   the stream's shape (the bench's: 2000, 5000, 3000,
                    where nearly every event is a billing row of its own; fewer make
                    rows that many events update, as in production)
`;

/** The indexes the billing queries added to the write path, by the migration that made them. */
const BILLING_INDEXES = {
  changes: 'billing_hourly_changes', // 0002: the change feed's pages
  reconcile: 'ad_events_reconcile', // 0003: the orphans' partial index
  publisher: 'billing_hourly_publisher', // 0004: a publisher's payout report
} as const;
type IndexName = keyof typeof BILLING_INDEXES;

const { values } = parseArgs({
  options: {
    'admin-url': {
      type: 'string',
      default: `postgres://${userInfo().username}@127.0.0.1:5432/postgres`,
    },
    sample: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '3' },
    variants: { type: 'string', default: 'all,no-changes,no-reconcile,no-publisher' },
    campaigns: { type: 'string', default: '2000' },
    ads: { type: 'string', default: '5000' },
    publishers: { type: 'string', default: '3000' },
    help: { type: 'boolean', default: false },
  },
});
const say = createSay();

const STATEMENT = readFileSync(
  new URL('../../src/store/sql/insert-from-staging.sql', import.meta.url),
  'utf8',
);
const HELD_BACK = 5_000;

interface Explained {
  walBytesPerRow: number;
  buffersPerRow: number;
  ms: number;
}

/** The arbiter statement on one batch, as writeEvents runs it, under EXPLAIN ANALYZE (rolled back). */
async function explainBatch(url: string, rows: readonly EventRow[]): Promise<Explained> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE TEMPORARY TABLE adgate_staging (LIKE ad_events INCLUDING DEFAULTS)');
    await client.query('BEGIN; SET LOCAL jit = off'); // as writeEvents does
    const copy = `COPY adgate_staging (${COPY_COLUMNS.join(', ')}) FROM STDIN`;
    await pipeline(
      (async function* () {
        yield encodeCopyRows(rows);
      })(),
      client.query(copyFrom(copy)),
    );
    const { rows: out } = await client.query<{ 'QUERY PLAN': [Record<string, unknown>] }>(
      `EXPLAIN (ANALYZE, BUFFERS, WAL, FORMAT JSON) ${STATEMENT}`,
    );
    await client.query('ROLLBACK');
    const top = out[0]?.['QUERY PLAN'][0] as {
      Plan: { 'Shared Hit Blocks': number; 'Shared Read Blocks': number; 'WAL Bytes': number };
      'Execution Time': number;
    };
    const touched = top.Plan['Shared Hit Blocks'] + top.Plan['Shared Read Blocks'];
    return {
      walBytesPerRow: top.Plan['WAL Bytes'] / rows.length,
      buffersPerRow: touched / rows.length,
      ms: top['Execution Time'],
    };
  } finally {
    await client.end();
  }
}

/** One run: a fresh database, migrated, `without` dropped, then writeEvents on the sample. */
async function runVariant(
  variant: string,
  rows: ReturnType<typeof sampleStream>['rows'],
  days: string[],
): Promise<{ perSecond: number } & Explained> {
  const adminUrl = values['admin-url'] as string;
  const name = `adgate_index_cost_${randomBytes(4).toString('hex')}`;
  const url = await createDatabase(adminUrl, name);
  try {
    await migrate(url, createLogger('error'));
    const without = variant.startsWith('no-') ? (variant.slice(3) as IndexName) : undefined;
    if (without !== undefined) {
      const index = BILLING_INDEXES[without];
      if (index === undefined) throw new Error(`unknown variant ${variant}`);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP INDEX ${index}`).finally(() => client.end());
    }
    // No time cap: every run writes the same rows, then explains the held-back batch.
    const distinct = distinctRows(rows);
    const written = distinct.slice(0, -HELD_BACK);
    const result = await writePathCeiling(url, written, days, Number.POSITIVE_INFINITY);
    return {
      perSecond: result.perSecond,
      ...(await explainBatch(url, distinct.slice(-HELD_BACK))),
    };
  } finally {
    await dropDatabase(adminUrl, name);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const nowMs = Date.now();
  const sample = sampleStream(
    {
      // The bench's defaults (loadtest/common/options.ts, bench-options.ts).
      seed: 42,
      duplicateShare: 0.1,
      outOfOrderShare: 0.02,
      malformedShare: 0.002,
      campaigns: Number(values.campaigns),
      ads: Number(values.ads),
      publishers: Number(values.publishers),
      nowMs,
      chunkSize: 1000,
    },
    Number(values.sample),
  );
  const days = streamDays(nowMs);
  const variants = (values.variants as string).split(',');
  const runs = new Map<string, Awaited<ReturnType<typeof runVariant>>[]>(
    variants.map((v) => [v, []]),
  );
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const variant of variants) {
      const r = await runVariant(variant, sample.rows, days);
      runs.get(variant)?.push(r);
      say(
        `round ${round} ${variant}: ${Math.round(r.perSecond)} rows/s; one batch: ${r.walBytesPerRow.toFixed(0)} WAL bytes and ${r.buffersPerRow.toFixed(2)} buffers a row, ${r.ms.toFixed(0)} ms`,
      );
    }
  }
  report(runs);
}

/** Medians per variant, and each index's cost: how much more a row takes with it than without. */
function report(runs: Map<string, Awaited<ReturnType<typeof runVariant>>[]>): void {
  const med = (variant: string, f: (r: Awaited<ReturnType<typeof runVariant>>) => number) =>
    median((runs.get(variant) ?? []).map(f));
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  for (const variant of runs.keys()) {
    const rate = med(variant, (r) => r.perSecond);
    const wal = med(variant, (r) => r.walBytesPerRow);
    const buffers = med(variant, (r) => r.buffersPerRow);
    const ms = med(variant, (r) => r.ms);
    const rates = (runs.get(variant) ?? []).map((r) => Math.round(r.perSecond)).join(', ');
    let line = `${variant}: median ${Math.round(rate)} rows/s (${rates}), ${wal.toFixed(0)} WAL bytes, ${buffers.toFixed(2)} buffers a row, batch ${ms.toFixed(0)} ms`;
    if (variant !== 'all' && runs.has('all')) {
      const all = (f: (r: Awaited<ReturnType<typeof runVariant>>) => number) => med('all', f);
      line += `; the index costs ${pct(rate / all((r) => r.perSecond) - 1)} in rows/s, ${pct(all((r) => r.walBytesPerRow) / wal - 1)} in WAL, ${pct(all((r) => r.buffersPerRow) / buffers - 1)} in buffers, ${pct(all((r) => r.ms) / ms - 1)} in batch time`;
    }
    say(line);
  }
}

if (values.help) process.stdout.write(HELP);
else await main();
