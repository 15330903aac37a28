import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keyBytes } from '../../src/event/idempotency-key.js';
import { ensureDayPartitions, type TypeCounts, writeEvents } from '../../src/store/write-events.js';
import { within } from '../../testkit/wait-for.js';
import { eventRow } from '../support/event-rows.js';
import { click, conversion, impression, type TestEvent } from '../support/events.js';
import { uniqueName } from '../support/names.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';

// Issue 13's orphan-rate metric (adgate_sink_orphan_events_total{type}):
// the write path counts, per type, the rows it inserted and the clicks and
// conversions among them whose impression was not in PostgreSQL yet.

const HOUR_MS = 3600_000;

describe('the write path counts orphans by type', () => {
  let db: TestDatabase;
  const campaign = uniqueName('orphcount').replace(/_/g, '-');
  const hour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 3 * HOUR_MS;
  const base = { campaign_id: campaign, occurred_at: new Date(hour + 60_000).toISOString() };
  const later = { ...base, occurred_at: new Date(hour + 120_000).toISOString() };

  before(async () => {
    db = await createTestDatabase();
    await ensureDayPartitions(db.pool, [base.occurred_at.slice(0, 10)]);
  });
  after(async () => {
    await within(60_000, 'database drop', db?.drop() ?? Promise.resolve());
  });

  async function write(events: TestEvent[]): Promise<TypeCounts> {
    const result = await writeEvents(db.pool, events.map(eventRow), {
      groupId: 'test',
      topic: 'test',
      next: new Map(),
    });
    return result.byType;
  }

  it('a click and a conversion without their impression are orphans, by type', async () => {
    const counts = await write([click('oc-none-1', later), conversion('oc-none-2', 'cv-1', later)]);
    assert.deepEqual(counts, {
      impressions: 0,
      clicks: 1,
      conversions: 1,
      orphanClicks: 1,
      orphanConversions: 1,
    });
  });

  it('the impression in the same batch or an earlier one: no orphan', async () => {
    const same = await write([impression('oc-same', base), click('oc-same', later)]);
    assert.deepEqual(same, {
      impressions: 1,
      clicks: 1,
      conversions: 0,
      orphanClicks: 0,
      orphanConversions: 0,
    });
    await write([impression('oc-earlier', base)]);
    const next = await write([
      click('oc-earlier', later),
      conversion('oc-earlier', 'cv-2', later),
      click('oc-still-none', later),
    ]);
    assert.deepEqual(next, {
      impressions: 0,
      clicks: 2,
      conversions: 1,
      orphanClicks: 1,
      orphanConversions: 0,
    });
  });

  it('an impression whose key event_keys already pruned is still found in ad_events', async () => {
    const imp = impression('oc-pruned', base);
    await write([imp]);
    const { rowCount } = await db.pool.query('DELETE FROM event_keys WHERE idempotency_key = $1', [
      keyBytes(eventRow(imp).key),
    ]);
    assert.equal(rowCount, 1);
    const counts = await write([click('oc-pruned', later)]);
    assert.equal(counts.orphanClicks, 0);
    assert.equal(counts.clicks, 1);
  });

  it('a duplicate is not written, so not counted', async () => {
    const counts = await write([click('oc-none-1', later)]);
    assert.deepEqual(counts, {
      impressions: 0,
      clicks: 0,
      conversions: 0,
      orphanClicks: 0,
      orphanConversions: 0,
    });
  });
});
