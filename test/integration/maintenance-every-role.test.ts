import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load-config.js';
import { type Gateway, startGateway } from '../../src/create-gateway.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import { createTestPipeline, type TestPipeline } from '../support/pipeline.js';
import { quietLog } from '../support/services.js';

// The store's upkeep (day partitions ahead, event_keys pruned past the
// dedup window) runs in every role, not only in the sink: a fleet split
// into ingress and sink deployments must prune whichever runs, and an
// ingress-only one still prunes.

const DAY_MS = 24 * 60 * 60 * 1000;

describe('store maintenance runs whatever the roles', () => {
  let pipeline: TestPipeline;
  let gateway: Gateway | undefined;
  before(async () => {
    pipeline = await createTestPipeline({ partitions: 1 });
  });
  after(async () => {
    if (gateway) await within(30_000, 'drain', gateway.drain());
    await pipeline?.cleanup();
  });

  it('an ingress-only instance prunes old idempotency keys and creates the days ahead', async () => {
    const pool = pipeline.db.pool;
    // One key long past the dedup window (8 days by default), one fresh.
    await pool.query(
      `INSERT INTO event_keys (idempotency_key, written_at) VALUES
         (decode(repeat('aa', 16), 'hex'), now() - interval '30 days'),
         (decode(repeat('bb', 16), 'hex'), now())`,
    );
    const ahead = new Date(Date.now() + 2 * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '');
    gateway = await startGateway(
      loadConfig({ ...pipeline.env, ADGATE_ROLES: 'ingress', ADGATE_HTTP_PORT: '0' }),
      quietLog,
    );
    const keys = async () =>
      (
        await pool.query<{ k: string }>(
          "SELECT encode(idempotency_key, 'hex') AS k FROM event_keys",
        )
      ).rows.map((r) => r.k);
    await waitFor(
      'the old key to be pruned',
      async () => !(await keys()).includes('aa'.repeat(16)),
    );
    assert.deepEqual(await keys(), ['bb'.repeat(16)]);
    const { rows } = await pool.query<{ found: string | null }>(
      'SELECT to_regclass($1)::text AS found',
      [`ad_events_${ahead}`],
    );
    assert.equal(rows[0]?.found, `ad_events_${ahead}`);
  });
});
