import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { billingRowsSchema } from '../../src/billing/billing-responses.js';
import { queryBillingBody } from '../../src/billing/query-billing.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import { writeTestEvents } from '../support/event-rows.js';
import { impression } from '../support/events.js';
import { uniqueName } from '../support/names.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';

// GET /v1/billing/{hourly,daily} send the JSON text PostgreSQL builds
// (src/billing/sql/hourly.sql). It must be exactly what JSON.stringify
// makes of the rows the schema describes: the same keys in the same order,
// the same escapes, the same instants, money past 2^64 to the digit.

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
const iso = (ms: number) => new Date(ms).toISOString();

interface Seed {
  hour: number;
  ad: string;
  pub: string;
  currency: string;
  counts: [number, number, number];
  cost: string;
  revenue: string;
}

describe('billing bodies built by PostgreSQL', () => {
  let db: TestDatabase;
  const campaign = `${uniqueName('body')}.x:y-z`;
  const day = Date.UTC(2026, 2, 10);
  const seeds: Seed[] = [
    // Inserted out of order: the answer's order comes from the query.
    {
      hour: day + 13 * HOUR_MS,
      ad: 'a.2',
      pub: 'p:1',
      currency: 'USD',
      counts: [5, 1, 0],
      cost: '50',
      revenue: '0',
    },
    {
      hour: day,
      ad: 'a-1',
      pub: 'p:1',
      currency: 'EUR',
      counts: [1, 0, 0],
      cost: '1',
      revenue: '2',
    },
    {
      hour: day,
      ad: 'a-1',
      pub: 'p:1',
      currency: 'USD',
      counts: [9_007_199_254_740_000, 3, 2],
      cost: '123456789012345678901234567890',
      revenue: '99999999999999999999',
    },
    {
      hour: day + 13 * HOUR_MS,
      ad: 'a-1',
      pub: 'p_2',
      currency: 'USD',
      counts: [0, 0, 7],
      cost: '0',
      revenue: '700',
    },
    {
      hour: day + 20 * HOUR_MS,
      ad: 'a-1',
      pub: 'p:1',
      currency: 'USD',
      counts: [1, 1, 1],
      cost: '876543210987654321098765432110',
      revenue: '1',
    },
    {
      hour: day + DAY_MS + 5 * HOUR_MS,
      ad: 'a-1',
      pub: 'p:1',
      currency: 'USD',
      counts: [2, 0, 0],
      cost: '20',
      revenue: '0',
    },
    // Outside the range queried: never in the answer.
    {
      hour: day + 2 * DAY_MS,
      ad: 'a-1',
      pub: 'p:1',
      currency: 'USD',
      counts: [4, 0, 0],
      cost: '40',
      revenue: '0',
    },
  ];
  const query = { campaign_id: campaign, from: day, to: day + 2 * DAY_MS };

  before(async () => {
    db = await createTestDatabase();
    for (const s of [...seeds, { ...seeds[0], ad: 'other' } as Seed]) {
      const owner = s.ad === 'other' ? `${campaign}-other` : campaign;
      await db.pool.query(
        `INSERT INTO billing_hourly (hour, campaign_id, ad_id, publisher_id, currency,
           impressions, clicks, conversions, cost_micros, revenue_micros)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [iso(s.hour), owner, s.ad, s.pub, s.currency, ...s.counts, s.cost, s.revenue],
      );
    }
  });
  after(async () => {
    await within(60_000, 'database drop', db?.drop() ?? Promise.resolve());
  });

  /** The body as JSON.stringify makes it: the seeds summed per bucket, in the answer's order. */
  function expected(rows: Seed[], bucketOf: (s: Seed) => number): string {
    const sums = new Map<string, Seed>();
    for (const s of rows) {
      const key = [iso(bucketOf(s)), s.ad, s.pub, s.currency].join('\u0000');
      const was = sums.get(key);
      const add = (a: string, b: string) => String(BigInt(a) + BigInt(b));
      sums.set(key, {
        ...s,
        hour: bucketOf(s),
        counts:
          was === undefined
            ? s.counts
            : ([0, 1, 2].map(
                (i) => (was.counts[i] as number) + (s.counts[i] as number),
              ) as Seed['counts']),
        cost: was === undefined ? s.cost : add(was.cost, s.cost),
        revenue: was === undefined ? s.revenue : add(was.revenue, s.revenue),
      });
    }
    const sorted = [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return JSON.stringify({
      rows: sorted.map(([, s]) => ({
        bucket: iso(s.hour),
        campaign_id: campaign,
        ad_id: s.ad,
        publisher_id: s.pub,
        currency: s.currency,
        impressions: s.counts[0],
        clicks: s.counts[1],
        conversions: s.counts[2],
        cost_micros: s.cost,
        revenue_micros: s.revenue,
      })),
    });
  }

  it('hourly: the body is JSON.stringify of the rows, byte for byte, and fits the schema', async () => {
    const body = await queryBillingBody(db.pool, 'hourly', query);
    assert.equal(
      body,
      expected(seeds.slice(0, 6), (s) => s.hour),
    );
    billingRowsSchema.parse(JSON.parse(body));
  });

  it('daily: the same for the sums per UTC day', async () => {
    const body = await queryBillingBody(db.pool, 'daily', query);
    // a-1/p:1/USD has two hours on the first day: one row with their sums.
    assert.equal(
      body,
      expected(seeds.slice(0, 6), (s) => Math.floor(s.hour / DAY_MS) * DAY_MS),
    );
    billingRowsSchema.parse(JSON.parse(body));
  });

  it('an empty answer is {"rows":[]}, filters apply', async () => {
    assert.equal(
      await queryBillingBody(db.pool, 'hourly', { ...query, ad_id: 'none' }),
      '{"rows":[]}',
    );
    const onePublisher = await queryBillingBody(db.pool, 'daily', {
      ...query,
      publisher_id: 'p:1',
    });
    assert.equal(
      onePublisher,
      expected(
        seeds.slice(0, 6).filter((s) => s.pub === 'p:1'),
        (s) => Math.floor(s.hour / DAY_MS) * DAY_MS,
      ),
    );
  });

  // Last: it restates a seed.
  it('hourly: keeps the text of whole settled days, serves it, and notices a restatement', async () => {
    const kept = async () =>
      (
        await db.pool.query<{ day: Date; built_xmin: string; body: string }>(
          'SELECT day, built_xmin::text, body FROM billing_day_bodies WHERE campaign_id = $1 ORDER BY day',
          [campaign],
        )
      ).rows;
    const settled = new Date(); // every day of the seeds ended before now
    const truth = (rows: Seed[]) => expected(rows, (s) => s.hour);
    // A kept day is rebuilt when one of its rows may be newer than its text:
    // written by a transaction at or above the snapshot's xmin, which another
    // transaction of the cluster can hold back. Once every seed is below any
    // running transaction, a text of theirs stays valid until a row changes.
    await waitFor('the seeds to be older than any running transaction', async () => {
      const { rows } = await db.pool.query<{ older: boolean }>(
        `SELECT pg_snapshot_xmin(pg_current_snapshot()) > max(updated_xid) AS older
         FROM billing_hourly WHERE campaign_id = $1`,
        [campaign],
      );
      return rows[0]?.older === true;
    });
    const first = await queryBillingBody(db.pool, 'hourly', query, settled);
    assert.equal(first, truth(seeds.slice(0, 6)));
    const days = await kept();
    assert.deepEqual(
      days.map((d) => d.day.getTime()),
      [day, day + DAY_MS],
      'the two whole days of the range are kept',
    );
    assert.equal(await queryBillingBody(db.pool, 'hourly', query, settled), first);

    // Not kept: a day still open (ends after `settled`), partial days, filters.
    const partial = { ...query, from: day + 5 * HOUR_MS, to: day + DAY_MS + 6 * HOUR_MS };
    assert.equal(
      await queryBillingBody(db.pool, 'hourly', partial, settled),
      truth(seeds.slice(0, 6).filter((s) => s.hour >= partial.from && s.hour < partial.to)),
    );
    await queryBillingBody(db.pool, 'hourly', { ...query, ad_id: 'a-1' }, settled);
    await queryBillingBody(db.pool, 'hourly', query, new Date(day + DAY_MS));
    assert.deepEqual(await kept(), days, 'nothing else kept, nothing rebuilt');

    // A replay restates the first day through the sink's write path: the
    // kept text of that day is stale, never served, and rebuilt.
    const late = impression(`imp-${campaign}-late`, {
      campaign_id: campaign,
      ad_id: 'a.2',
      publisher_id: 'p:1',
      currency: 'USD',
      cost_micros: 3,
      occurred_at: iso(day + 13 * HOUR_MS + 60_000),
    });
    assert.equal(await writeTestEvents(db.pool, [late]), 1);
    const restated = [{ ...(seeds[0] as Seed), counts: [6, 1, 0], cost: '53' } as Seed];
    const now = truth([...restated, ...seeds.slice(1, 6)]);
    assert.equal(await queryBillingBody(db.pool, 'hourly', query, settled), now);
    const after = await kept();
    // (built_xmin may not move: another transaction of the cluster can hold the xmin back.)
    assert.ok(after[0]?.body.includes('"impressions":6,'), 'the restated day was rebuilt');
    assert.equal(after[1]?.built_xmin, days[1]?.built_xmin, 'the other day was left');
    assert.equal(await queryBillingBody(db.pool, 'hourly', query, settled), now);
  });
});
