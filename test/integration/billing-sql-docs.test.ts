import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { within } from '../../testkit/wait-for.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';

// The README's SQL for billing jobs (issue 13): every documented query is
// served by an index. Each ```sql block of the README that starts with
// `-- billing job:` is EXPLAINed on a store with enough rows that the
// planner chooses by cost, and must not read billing_hourly sequentially.

const README = new URL('../../../README.md', import.meta.url);

/** The documented billing-job queries, as the README writes them. */
function documentedQueries(): string[] {
  const text = readFileSync(README, 'utf8');
  return [...text.matchAll(/```sql\n(-- billing job:[^\n]*\n[\s\S]*?)```/g)].map(
    (m) => m[1] as string,
  );
}

describe('README: SQL for billing jobs', () => {
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase();
    // 2,000 campaigns x 100 publishers over a year of hours: 200,000 rows,
    // so that one campaign or one publisher is a small part of the table.
    await db.pool.query(`
      INSERT INTO billing_hourly (hour, campaign_id, ad_id, publisher_id, currency,
                                  impressions, clicks, cost_micros)
      SELECT timestamptz '2026-01-01T00:00:00Z' + (g % 8760) * interval '1 hour',
             'camp-' || (g % 2000), 'ad-' || (g % 7), 'pub-' || (g % 100),
             (ARRAY['USD', 'EUR', 'JPY'])[1 + g % 3], 10, 1, 1000
      FROM generate_series(1, 200000) g
      ON CONFLICT DO NOTHING`);
    await db.pool.query('ANALYZE billing_hourly');
  });
  after(async () => {
    await within(60_000, 'database drop', db?.drop() ?? Promise.resolve());
  });

  it('documents the three queries (campaign by day, publisher by month, per currency)', () => {
    const queries = documentedQueries();
    assert.equal(queries.length, 3, 'three `-- billing job:` blocks in the README');
    assert.match(queries[0] ?? '', /campaign by day/);
    assert.match(queries[1] ?? '', /publisher by month/);
    assert.match(queries[2] ?? '', /per currency/);
  });

  for (const [i, query] of documentedQueries().entries()) {
    const title = query.split('\n')[0]?.replace('-- billing job: ', '') ?? `query ${i}`;
    it(`uses an index: ${title}`, async () => {
      const { rows } = await db.pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${query}`);
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      assert.doesNotMatch(plan, /Seq Scan on billing_hourly/, plan);
      assert.match(plan, /Index (Only )?Scan|Bitmap Index Scan/, plan);
      // And it runs, on the real schema.
      await db.pool.query(query);
    });
  }
});
