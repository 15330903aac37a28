import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { encodeCopyRows } from '../../src/store/encode-copy-rows.js';
const BATCH = 5_000;
/**
 * PostgreSQL's ceiling for this data: COPY of the same rows, in the same
 * text encoding and batches of the same size, each batch its own
 * transaction, into a table with the columns of ad_events and no index,
 * no key and no partitioning. Encoding happens before the clock starts:
 * this measures the server, not our encoder. Repeats the sample until
 * `seconds` have passed.
 */
export async function copyCeiling(databaseUrl, rows, seconds) {
    if (rows.length === 0) {
        return {
            name: 'postgres COPY',
            perSecond: 0,
            records: 0,
            seconds: 0,
            detail: '',
            problem: 'no rows',
        };
    }
    const batches = [];
    for (let i = 0; i < rows.length; i += BATCH)
        batches.push(encodeCopyRows(rows.slice(i, i + BATCH)));
    const sizes = batches.map((_, i) => Math.min(BATCH, rows.length - i * BATCH));
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
        await client.query(`CREATE TABLE bench_copy_ceiling (
      idempotency_key bytea NOT NULL, type text NOT NULL, impression_id text NOT NULL,
      occurred_at timestamptz NOT NULL, campaign_id text NOT NULL, ad_id text NOT NULL,
      publisher_id text NOT NULL, conversion_id text, cost_micros bigint NOT NULL,
      revenue_micros bigint NOT NULL, currency char(3) NOT NULL, attributes jsonb,
      source text NOT NULL, received_at timestamptz NOT NULL, kafka_partition integer NOT NULL,
      kafka_offset bigint NOT NULL)`);
        const started = performance.now();
        let copied = 0;
        for (let i = 0; performance.now() - started < seconds * 1000; i = (i + 1) % batches.length) {
            const text = batches[i];
            await client.query('BEGIN');
            await pipeline((async function* () {
                yield text;
            })(), client.query(copyFrom('COPY bench_copy_ceiling FROM STDIN')));
            await client.query('COMMIT');
            copied += sizes[i] ?? 0;
        }
        const elapsed = (performance.now() - started) / 1000;
        return {
            name: 'postgres COPY',
            perSecond: copied / elapsed,
            records: copied,
            seconds: elapsed,
            detail: `COPY of the stream's rows, ${BATCH} a transaction, unindexed table`,
        };
    }
    finally {
        await client.query('DROP TABLE IF EXISTS bench_copy_ceiling').catch(() => undefined);
        await client.end();
    }
}
//# sourceMappingURL=copy-ceiling.js.map