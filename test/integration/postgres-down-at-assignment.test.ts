import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type GatewayProcess, startGatewayProcess } from '../../testkit/gateway-process.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import { impression } from '../support/events.js';
import {
  createTestPipeline,
  createTopics,
  produceRaw,
  type TestPipeline,
  waitAllCommitted,
} from '../support/pipeline.js';
import { type PrivatePostgres, startPrivatePostgres } from '../support/private-postgres.js';

// At assignment the batch handler reads the positions PostgreSQL recorded
// before it writes. With PostgreSQL away it waits there; it must keep
// heartbeating meanwhile, or the group evicts the member after a session
// timeout and moves its partitions, only for it to rejoin.

const SESSION_TIMEOUT_MS = 6_000;
const FLOOR_RETRY = '"msg":"PostgreSQL unavailable for the recorded positions; retrying"';

describe('PostgreSQL down at partition assignment: the member keeps its partitions', () => {
  let postgres: PrivatePostgres;
  let pipeline: TestPipeline;
  let gateway: GatewayProcess | undefined;

  before(async () => {
    postgres = await startPrivatePostgres();
    pipeline = await createTestPipeline({ partitions: 2, pgAdminUrl: postgres.adminUrl });
    await createTopics(pipeline, 2);
  });
  after(async () => {
    try {
      await postgres?.start();
      await gateway?.stop('SIGTERM').catch(() => undefined);
      await within(60_000, 'pipeline cleanup', pipeline?.cleanup() ?? Promise.resolve());
    } finally {
      await within(60_000, 'private PostgreSQL removal', postgres?.destroy() ?? Promise.resolve());
    }
  });

  const retries = (): number =>
    (gateway?.output() ?? '').split('\n').filter((l) => l.includes(FLOOR_RETRY)).length;

  it('heartbeats while it waits for the recorded positions, and everything lands once', async () => {
    const messages = Array.from({ length: 40 }, (_, i) => {
      const event = impression(`assign-${i}`);
      return { key: event.impression_id, value: JSON.stringify(event) };
    });
    await produceRaw(pipeline, messages);
    await postgres.stop();
    gateway = await startGatewayProcess({
      ...pipeline.env,
      ADGATE_ROLES: 'sink',
      ADGATE_SINK_WORKERS: '1',
      ADGATE_MIGRATE_ON_START: 'false',
      ADGATE_KAFKA_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
      ADGATE_RETRY_MAX_BACKOFF_MS: '500',
    });
    await waitFor(
      'the assignment',
      () => gateway?.output().includes('"msg":"partitions assigned"'),
      60_000,
    );

    const admin = pipeline.kafka.admin();
    await admin.connect();
    try {
      const describe = async () => (await admin.describeGroups([pipeline.group])).groups[0];
      const before = await waitFor('one member in the group', async () => {
        const group = await describe();
        return group?.state === 'Stable' && group.members.length === 1 ? group : undefined;
      });
      // Three session timeouts with PostgreSQL away: a member that stopped
      // heartbeating would be evicted within the first (the group empties).
      const ids = (g: typeof before | undefined) => g?.members.map((m) => m.memberId);
      const until = Date.now() + 3 * SESSION_TIMEOUT_MS;
      while (Date.now() < until) {
        const group = await describe();
        assert.equal(group?.state, 'Stable', 'the group never rebalanced');
        assert.deepEqual(ids(group), ids(before), 'the same member, never evicted');
        await sleep(250);
      }
      assert.ok(retries() > 0, 'the sink was waiting on PostgreSQL for the recorded positions');
      await postgres.start();
      await waitAllCommitted(pipeline, gateway.output);

      const afterOutage = await describe();
      assert.equal(afterOutage?.state, 'Stable');
      assert.deepEqual(ids(afterOutage), ids(before), 'the same member, never evicted');
      const assignments = gateway
        .output()
        .split('\n')
        .filter((l) => l.includes('"msg":"partitions assigned"'));
      assert.equal(assignments.length, 1, 'no rebalance');
    } finally {
      await admin.disconnect();
    }
    const { rows } = await pipeline.db.pool.query<{ n: string; distinct_keys: string }>(
      'SELECT count(*) AS n, count(DISTINCT idempotency_key) AS distinct_keys FROM ad_events',
    );
    assert.deepEqual(rows[0], { n: '40', distinct_keys: '40' });
    assert.equal((await gateway.stop('SIGTERM')).code, 0);
    gateway = undefined;
  });
});
