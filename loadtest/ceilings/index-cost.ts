import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { migrate } from '../../src/store/migrate.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { streamDays } from '../bench/run-ceilings.js';
import { createDatabase, dropDatabase } from '../common/resources.js';
import { createSay } from '../common/say.js';
import { sampleStream } from './sample-rows.js';
import { writePathCeiling } from './write-path.js';

// Issue 13's cap: the billing indexes may slow the write path by at most
// 5%. The bench's write-path diagnosis (writeEvents alone, 5,000 distinct
// rows a transaction, on the bench's own stream: write-path.ts) in a fresh
// database per run, with every index, and without each billing index in
// turn; rounds alternate the variants so that a noisy neighbour hits them
// alike. A figure, not a test.
//
//   npm run build && node dist/loadtest/ceilings/index-cost.js [--rounds 3] ...

const HELP = `write-path cost of the billing indexes (issue 13)
  --admin-url URL   cluster to create the scratch databases on (default local)
  --sample N        messages of the bench's stream to write (200000)
  --rounds N        rounds; each runs every variant once, in turn (3)
  --variants LIST   comma-separated, of: ${'all'} and no-<index> for each index below
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
    help: { type: 'boolean', default: false },
  },
});
const say = createSay();

/** One run: a fresh database, migrated, `without` dropped, then writeEvents on the sample. */
async function runVariant(
  variant: string,
  rows: ReturnType<typeof sampleStream>['rows'],
  days: string[],
): Promise<number> {
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
    // No time cap: every run writes the same rows.
    const result = await writePathCeiling(url, rows, days, Number.POSITIVE_INFINITY);
    return result.perSecond;
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
      campaigns: 2000,
      ads: 5000,
      publishers: 3000,
      nowMs,
      chunkSize: 1000,
    },
    Number(values.sample),
  );
  const days = streamDays(nowMs);
  const variants = (values.variants as string).split(',');
  const rates = new Map<string, number[]>(variants.map((v) => [v, []]));
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const variant of variants) {
      const perSecond = await runVariant(variant, sample.rows, days);
      rates.get(variant)?.push(perSecond);
      say(`round ${round} ${variant}: ${Math.round(perSecond)} rows/s`);
    }
  }
  const all = median(rates.get('all') ?? []);
  for (const [variant, xs] of rates) {
    const m = median(xs);
    // The index's cost: how much longer a row takes with it than without.
    const cost = variant === 'all' ? '' : `; the index costs ${((m / all - 1) * 100).toFixed(1)}%`;
    say(`${variant}: median ${Math.round(m)} rows/s (${xs.map(Math.round).join(', ')})${cost}`);
  }
}

if (values.help) process.stdout.write(HELP);
else await main();
