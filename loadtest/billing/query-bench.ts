import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { keepDaysBefore, queryBillingBody } from '../../src/billing/query-billing.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createPool } from '../../src/store/create-pool.js';
import { migrate } from '../../src/store/migrate.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { createSay } from '../common/say.js';

// The billing query benchmark of issue 13: the latency of one campaign's
// hourly (and daily) sums over 31 days, with billing_hourly holding the
// rows that 10 million events make. The rows are loaded straight into
// billing_hourly with COPY (the write path is measured by `npm run bench`);
// what is measured is queryBillingBody (src/billing/query-billing.ts), the
// query of GET /v1/billing/hourly and /daily up to the body it sends, on a
// warm buffer cache, with the route's default acceptance window: hourly's
// first call for each campaign (which formats its days and keeps their
// text) is timed apart from the calls after it. A figure, not a test.
//
//   npm run build && node dist/loadtest/billing/query-bench.js [--events N] ...

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
const HELP = `billing query benchmark (issue 13)
  --admin-url URL   cluster to create the scratch database on (default local)
  --events N        events the rows sum to (10000000)
  --campaigns N     campaigns (100)
  --ads N           ads per campaign (5)
  --publishers N    publishers (4): rows per campaign-hour = ads x publishers
  --days N          days of hourly rows, and the range queried (31)
  --queries N       measured queries per granularity (1000)
  --p99-ms N        the target (50)
  --keep            keep the scratch database
`;

const { values } = parseArgs({
  options: {
    'admin-url': {
      type: 'string',
      default: `postgres://${userInfo().username}@127.0.0.1:5432/postgres`,
    },
    events: { type: 'string', default: '10000000' },
    campaigns: { type: 'string', default: '100' },
    ads: { type: 'string', default: '5' },
    publishers: { type: 'string', default: '4' },
    days: { type: 'string', default: '31' },
    queries: { type: 'string', default: '1000' },
    'p99-ms': { type: 'string', default: '50' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
const n = (name: keyof typeof values) => Number(values[name]);
const say = createSay();
const start = Date.UTC(2026, 0, 1);

/** billing_hourly rows as COPY text: every campaign, hour, ad and publisher, summing to `events`. */
function* copyRows(): Generator<string> {
  const hours = n('days') * 24;
  const rows = n('campaigns') * hours * n('ads') * n('publishers');
  const each = Math.floor(n('events') / rows);
  let extra = n('events') - each * rows;
  let chunk = '';
  for (let c = 0; c < n('campaigns'); c++) {
    for (let h = 0; h < hours; h++) {
      const hour = new Date(start + h * HOUR_MS).toISOString();
      for (let a = 0; a < n('ads'); a++) {
        for (let p = 0; p < n('publishers'); p++) {
          const events = each + (extra-- > 0 ? 1 : 0);
          const clicks = Math.floor(events / 20);
          const impressions = events - clicks;
          chunk += `${hour}\tcamp-${c}\tad-${a}\tpub-${p}\tUSD\t${impressions}\t${clicks}\t0\t${events * 1000}\t0\n`;
          if (chunk.length > 1 << 16) {
            yield chunk;
            chunk = '';
          }
        }
      }
    }
  }
  if (chunk !== '') yield chunk;
}

async function load(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    const copy = client.query(
      copyFrom(
        `COPY billing_hourly (hour, campaign_id, ad_id, publisher_id, currency,
           impressions, clicks, conversions, cost_micros, revenue_micros) FROM STDIN`,
      ),
    );
    await pipeline(Readable.from(copyRows()), copy);
  } finally {
    client.release();
  }
  // As a long-running store would be: statistics known, visibility map set.
  await pool.query('VACUUM ANALYZE billing_hourly');
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** One campaign's whole range, campaigns taken in a scattered order. */
function campaignQuery(i: number) {
  return {
    campaign_id: `camp-${i % n('campaigns')}`,
    from: start,
    to: start + n('days') * DAY_MS,
  };
}

/** Latencies of `count` queries, sorted, and the rows of the last answer. */
async function timeQueries(count: number, run: (i: number) => Promise<string>) {
  const ms: number[] = [];
  let body = '';
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    body = await run(i);
    ms.push(performance.now() - t);
  }
  // Counted outside the timed part: the route does not parse the body.
  const rows = (JSON.parse(body) as { rows: unknown[] }).rows.length;
  ms.sort((a, b) => a - b);
  const [p50, p95, p99] = [50, 95, 99].map((p) => percentile(ms, p));
  return { rows, p50, p95, p99: p99 ?? NaN, max: ms.at(-1) ?? NaN };
}

/**
 * Hourly, first the first call for each campaign (cold: it formats the
 * rows and keeps each settled day's text, as the route does with its
 * default acceptance window), then `queries` calls (warm: the kept days).
 * Daily keeps nothing: its queries are all alike.
 */
async function measure(pool: pg.Pool, granularity: 'hourly' | 'daily') {
  const keep = keepDaysBefore(loadConfig({}));
  const query = (i: number) => queryBillingBody(pool, granularity, campaignQuery(i), keep);
  const cold =
    granularity === 'hourly' ? await timeQueries(n('campaigns'), (i) => query(i)) : undefined;
  for (let i = 0; i < 50; i++) await query(i); // warm-up
  const warm = await timeQueries(n('queries'), (i) => query(i * 7919));
  return { granularity, cold, ...warm };
}

async function main(): Promise<boolean> {
  const name = `adgate_billing_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: values['admin-url'] });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = (values['admin-url'] as string).replace(/\/[^/]*$/, `/${name}`);
  const pool = createPool(url, 2, createLogger('error'));
  try {
    await migrate(url, createLogger('error'));
    const rows = n('campaigns') * n('days') * 24 * n('ads') * n('publishers');
    say(`loading ${rows} billing_hourly rows (${n('events')} events) into ${name}`);
    await load(pool);
    say('loaded; measuring');
    let pass = true;
    for (const granularity of ['hourly', 'daily'] as const) {
      const r = await measure(pool, granularity);
      const f = (v: number | undefined) => `${(v ?? NaN).toFixed(2)} ms`;
      const line = (t: { p50?: number; p95?: number; p99: number; max: number }) =>
        `p50 ${f(t.p50)}, p95 ${f(t.p95)}, p99 ${f(t.p99)}, max ${f(t.max)}`;
      if (r.cold !== undefined) {
        say(
          `${granularity}, each campaign's first call (formats, keeps its days): ${line(r.cold)}`,
        );
      }
      say(`${granularity}: one campaign, ${n('days')} days, ${r.rows} rows an answer: ${line(r)}`);
      pass &&= r.p99 <= n('p99-ms');
    }
    say(`${pass ? 'PASS' : 'FAIL'}: p99 target ${n('p99-ms')} ms`);
    return pass;
  } finally {
    await pool.end();
    if (!values.keep) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

if (values.help) process.stdout.write(HELP);
else process.exitCode = (await main()) ? 0 : 1;
