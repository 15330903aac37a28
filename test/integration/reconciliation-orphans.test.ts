import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import { loadConfig } from '../../src/config/load-config.js';
import { createApp } from '../../src/ingress-http/create-app.js';
import { Lifecycle } from '../../src/lifecycle/lifecycle-state.js';
import { ensureDayPartitions, writeEvents } from '../../src/store/write-events.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { createMetrics, type Metrics } from '../../src/telemetry/metrics.js';
import { within } from '../../testkit/wait-for.js';
import { eventRow } from '../support/event-rows.js';
import { click, conversion, DEV_KEY, impression, type TestEvent } from '../support/events.js';
import { uniqueName } from '../support/names.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';

// SPEC §3: GET /v1/reconciliation/orphans answers, per hour and campaign,
// the clicks and conversions whose impression has not arrived within
// ADGATE_RECONCILE_GRACE_MS; a late impression removes its clicks.

const HOUR_MS = 3600_000;
const GRACE_MS = HOUR_MS;
const iso = (ms: number) => new Date(ms).toISOString();

interface OrphansBody {
  rows: {
    hour: string;
    campaign_id: string;
    clicks: number;
    conversions: number;
    impressions_missing: number;
  }[];
  received_before: string;
  grace_ms: number;
}

describe('GET /v1/reconciliation/orphans (SPEC §3)', () => {
  let db: TestDatabase;
  let app: Hono;
  let metrics: Metrics;
  const campaign = uniqueName('orph').replace(/_/g, '-');
  const hour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 5 * HOUR_MS;
  const range = { campaign_id: campaign, from: iso(hour - HOUR_MS), to: iso(hour + 2 * HOUR_MS) };

  before(async () => {
    db = await createTestDatabase();
    metrics = createMetrics();
    const lifecycle = new Lifecycle();
    lifecycle.moveTo('ready');
    app = createApp({
      config: loadConfig({ ADGATE_RECONCILE_GRACE_MS: String(GRACE_MS) }),
      pool: db.pool,
      lifecycle,
      metrics,
      log: createLogger('error'),
      requestDrain: () => undefined,
    });
  });
  after(async () => {
    await within(30_000, 'metrics shutdown', metrics?.shutdown() ?? Promise.resolve());
    await within(60_000, 'database drop', db?.drop() ?? Promise.resolve());
  });

  /** Writes events as one sink batch, as received `agoMs` ago (the grace counts from there). */
  async function write(events: TestEvent[], agoMs: number): Promise<void> {
    const days = [...new Set(events.map((e) => e.occurred_at.slice(0, 10)))];
    await ensureDayPartitions(db.pool, days);
    const rows = events.map((e) => ({ ...eventRow(e), receivedAtMs: Date.now() - agoMs }));
    await writeEvents(db.pool, rows, { groupId: 'test', topic: 'test', next: new Map() });
  }

  async function orphans(query: Record<string, string> = range): Promise<OrphansBody> {
    const url = new URL('http://adgate.test/v1/reconciliation/orphans');
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const res = await app.request(url, { headers: { authorization: `Bearer ${DEV_KEY}` } });
    const body = (await res.json()) as OrphansBody;
    assert.equal(res.status, 200, JSON.stringify(body));
    return body;
  }

  const at = (minutes: number) => ({
    campaign_id: campaign,
    occurred_at: iso(hour + minutes * 60_000),
  });

  it('counts clicks and conversions past the grace period whose impression never came, and no others', async () => {
    await write(
      [
        impression(`${campaign}-seen`, at(1)),
        click(`${campaign}-seen`, at(2)),
        click(`${campaign}-lost`, at(3)),
        click(`${campaign}-lost`, at(4)),
        conversion(`${campaign}-lost`, `${campaign}-cv`, at(5)),
        click(`${campaign}-other`, { ...at(70) }),
      ],
      2 * GRACE_MS,
    );
    // Received a moment ago: its impression may still be on its way.
    await write([click(`${campaign}-young`, at(6))], 60_000);

    const report = await orphans();
    assert.deepEqual(
      report.rows.map((r) => [r.hour, r.clicks, r.conversions, r.impressions_missing]),
      [
        [iso(hour), 2, 1, 1],
        [iso(hour + HOUR_MS), 1, 0, 1],
      ],
    );
    assert.equal(report.grace_ms, GRACE_MS);
    assert.ok(report.rows.every((r) => r.campaign_id === campaign));
  });

  it('a late impression removes its clicks and conversions from the orphans', async () => {
    await write([impression(`${campaign}-lost`, at(0))], 0);
    const report = await orphans();
    assert.deepEqual(
      report.rows.map((r) => [r.hour, r.clicks, r.conversions]),
      [[iso(hour + HOUR_MS), 1, 0]],
    );
  });

  it('still finds an impression whose key the dedup window has pruned from event_keys', async () => {
    await write([impression(`${campaign}-other`, at(65))], 0);
    // What maintain-event-store does to keys older than the dedup window.
    await db.pool.query('DELETE FROM event_keys');
    assert.deepEqual((await orphans()).rows, []);
  });

  it('keeps to the hourly bounds rules and refuses filters it does not have', async () => {
    for (const query of [
      { ...range, from: iso(hour + 60_000) },
      { ...range, ad_id: 'a1' },
      { campaign_id: campaign, from: range.from },
    ]) {
      const url = new URL('http://adgate.test/v1/reconciliation/orphans');
      for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
      const res = await app.request(url, { headers: { authorization: `Bearer ${DEV_KEY}` } });
      assert.equal(res.status, 400, JSON.stringify(query));
    }
  });
});
