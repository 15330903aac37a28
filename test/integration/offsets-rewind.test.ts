import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type GatewayProcess,
  runAdgate,
  startGatewayProcess,
} from '../../testkit/gateway-process.js';
import { fetchMetrics, metricValue } from '../../testkit/prometheus.js';
import { generateStream } from '../../testkit/stream/generate-stream.js';
import { within } from '../../testkit/wait-for.js';
import {
  createTestPipeline,
  createTopics,
  produceRaw,
  type TestPipeline,
  waitAllCommitted,
} from '../support/pipeline.js';

// Issue 11: `adgate offsets rewind` moves Kafka's committed offsets and
// sink_offsets back together, so that the sink reads every message again;
// PostgreSQL arbitrates, so each is a counted duplicate and billing does not
// move. It refuses while the group has live members, and names them.

describe('adgate offsets rewind', () => {
  let pipeline: TestPipeline;
  let gateway: GatewayProcess | undefined;

  before(async () => {
    pipeline = await createTestPipeline({ partitions: 2 });
    await createTopics(pipeline, 2);
  });
  after(async () => {
    try {
      await gateway?.stop('SIGTERM');
    } finally {
      await within(60_000, 'pipeline cleanup', pipeline?.cleanup() ?? Promise.resolve());
    }
  });

  const cli = (args: string[]) => runAdgate(['offsets', ...args], pipeline.env, 120_000);
  const snapshot = async () => ({
    events: (await pipeline.db.pool.query('SELECT count(*)::int AS n FROM ad_events')).rows[0],
    billing: (
      await pipeline.db.pool.query(
        `SELECT hour, campaign_id, ad_id, publisher_id, currency, impressions::text, clicks::text,
                conversions::text, cost_micros::text, revenue_micros::text, updated_at
         FROM billing_hourly ORDER BY 1, 2, 3, 4, 5`,
      )
    ).rows,
  });

  it('reads a fully written topic again: duplicates counted, events and billing unchanged', async () => {
    const { items } = generateStream({
      seed: 71_001,
      distinct: 600,
      duplicateShare: 0.1,
      malformedShare: 0,
      outOfOrderShare: 0.05,
      campaigns: 10,
      ads: 20,
      publishers: 10,
    });
    await produceRaw(
      pipeline,
      items.map((i) => ({ key: i.key, value: i.json })),
    );
    gateway = await startGatewayProcess({
      ...pipeline.env,
      ADGATE_ROLES: 'sink',
      ADGATE_SINK_WORKERS: '1',
    });
    await waitAllCommitted(pipeline, gateway.output);
    const before = await snapshot();
    assert.ok(before.events.n > 0 && before.billing.length > 0);

    // A live member: refused, and named.
    const admin = pipeline.kafka.admin();
    await admin.connect();
    const { groups } = await admin.describeGroups([pipeline.group]);
    await admin.disconnect();
    const memberId = groups[0]?.members[0]?.memberId;
    assert.ok(memberId, 'the sink is a member');
    const refused = await cli(['rewind', '--to', 'earliest']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /group_has_members/);
    assert.ok(refused.stderr.includes(memberId), refused.stderr);

    assert.equal((await gateway.stop('SIGTERM')).code, 0);
    gateway = undefined;
    const total = Number(await pipeline.endTotal());
    const shown = await cli(['show', '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    for (const line of shown.stdout.trim().split('\n')) {
      const p = JSON.parse(line);
      assert.equal(p.committed, p.end, `partition ${p.partition} committed to the end`);
      assert.equal(p.lagMessages, 0);
    }

    const dry = await cli(['rewind', '--to', 'earliest', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`would read ${total} messages again`));
    assert.equal((await cli(['show', '--json'])).stdout, shown.stdout, 'a dry run changes nothing');

    const rewound = await cli(['rewind', '--to', 'earliest']);
    assert.equal(rewound.code, 0, rewound.stderr);
    const after = (await cli(['show', '--json'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(
      after.reduce((n, p) => n + p.lagMessages, 0),
      total,
      'every message waits to be read again',
    );

    gateway = await startGatewayProcess({
      ...pipeline.env,
      ADGATE_ROLES: 'sink',
      ADGATE_SINK_WORKERS: '1',
    });
    await waitAllCommitted(pipeline, gateway.output);
    const samples = await fetchMetrics(gateway.url);
    const count = (outcome: string) =>
      metricValue(samples, 'adgate_sink_events_total', { outcome }) ?? 0;
    assert.equal(count('duplicate'), total, 'each message read again is a counted duplicate');
    assert.equal(count('inserted'), 0);
    assert.equal(count('skipped_recorded'), 0, 'sink_offsets moved back too');
    assert.deepEqual(await snapshot(), before, 'ad_events and billing_hourly unchanged');
  });

  it('has help for every verb', async () => {
    for (const verb of ['', 'show', 'rewind', 'reset']) {
      const help = await cli([...(verb === '' ? [] : [verb]), '--help']);
      assert.equal(help.code, 0, `${verb} --help`);
      assert.match(help.stdout, /Usage: adgate offsets/);
    }
  });
});
