import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  type GatewayProcess,
  runAdgate,
  startGatewayProcess,
} from '../../testkit/gateway-process.js';
import { fetchMetrics, metricValue } from '../../testkit/prometheus.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import { impression } from '../support/events.js';
import {
  createTestPipeline,
  createTopics,
  produceRaw,
  type TestPipeline,
  waitAllCommitted,
} from '../support/pipeline.js';

// Issue 11: events dead-lettered as `invalid` because occurred_at was too
// far ahead (a gateway run with a tight ADGATE_ACCEPT_FUTURE_MS) are
// replayed with `adgate dlq replay --reason invalid` once the gateway runs
// with the default window again: the sink judges the replayed message
// against the time it is sent (README), so they land, each exactly once.

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const LETTERS = 1_200;

describe('adgate dlq replay', () => {
  let pipeline: TestPipeline;
  let gateway: GatewayProcess | undefined;
  const tag = Date.now().toString(36);
  const ids = Array.from({ length: LETTERS }, (_, i) => `future-${tag}-${i}`);

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

  const cli = (args: string[]) => runAdgate(['dlq', ...args], pipeline.env, 120_000);
  const landed = async () =>
    Number(
      (
        await pipeline.db.pool.query<{ n: string }>(
          'SELECT count(*) AS n FROM ad_events WHERE impression_id = ANY($1)',
          [ids],
        )
      ).rows[0]?.n,
    );

  it('dead-letters future-dated events as invalid under a tight window', async () => {
    // Two minutes ahead of now, and received (the Kafka timestamp) ten
    // minutes ago: measured against that receive time, they would be out
    // of even the default five-minute window, and a replay could never land.
    const ahead = new Date(Date.now() + 120_000).toISOString();
    const receivedAt = String(Date.now() - 10 * 60_000);
    const producer = pipeline.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      const messages = ids.map((id) => ({
        key: id,
        value: JSON.stringify(impression(id, { occurred_at: ahead })),
        timestamp: receivedAt,
      }));
      await producer.send({ topic: pipeline.topic, acks: -1, messages });
    } finally {
      await producer.disconnect();
    }
    await produceRaw(pipeline, [
      { key: null, value: 'not json' },
      { key: null, value: '{"also": "not an event"' },
    ]);
    gateway = await startGatewayProcess({ ...pipeline.env, ADGATE_ACCEPT_FUTURE_MS: '1000' });
    await waitAllCommitted(pipeline, gateway.output);
    assert.equal(await pipeline.endTotal(pipeline.dlqTopic), BigInt(LETTERS + 2));
    assert.equal(await landed(), 0);
    await gateway.stop('SIGTERM');
    gateway = await startGatewayProcess(pipeline.env); // the default window again
  });

  it('describes the letters: stats, list, show, and a dry run that sends nothing', async () => {
    const stats = await cli(['stats', '--json']);
    assert.equal(stats.code, 0, stats.stderr);
    const [dlq, dead] = stats.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(dlq.letters, LETTERS + 2);
    assert.deepEqual(dlq.byReason, { invalid: LETTERS, unparsable: 2 });
    assert.equal(dead.letters, 0);

    const list = await cli(['list', '--reason', 'unparsable', '--json']);
    assert.equal(list.code, 0, list.stderr);
    const rows = list.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(rows.length, 2);
    const show = await cli(['show', `${rows[0].partition}:${rows[0].offset}`, '--json']);
    assert.equal(show.code, 0, show.stderr);
    assert.equal(JSON.parse(show.stdout).headers['adgate-reason'], 'unparsable');

    const matching = await cli(['list', '--match', 'occurred_at', '--json']);
    assert.equal(matching.stdout.trim().split('\n').length, LETTERS);

    const endBefore = await pipeline.endTotal();
    const dry = await cli(['replay', '--reason', 'invalid', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(dry.stdout.trim().split('\n').length, LETTERS);
    assert.equal(await pipeline.endTotal(), endBefore, 'a dry run sends nothing');
  });

  it('a replay killed halfway and run again lands each once; a second replay changes nothing', async () => {
    const base = await pipeline.endTotal();
    const child = spawn(
      process.execPath,
      [MAIN, 'dlq', 'replay', '--reason', 'invalid', '--rate', '300'],
      {
        env: { PATH: process.env.PATH ?? '', ...pipeline.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await waitFor(
      'the replay to have sent some',
      async () => (await pipeline.endTotal()) - base >= 200n,
      60_000,
      50,
    );
    child.kill('SIGKILL');
    await within(30_000, 'the killed replay to exit', exited);
    const sentBeforeKill = (await pipeline.endTotal()) - base;
    assert.ok(sentBeforeKill < BigInt(LETTERS), `killed halfway (${sentBeforeKill} sent)`);

    const resumed = await cli(['replay', '--reason', 'invalid']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const sent = (await pipeline.endTotal()) - base;
    // Resumed after what was committed, and what was sent after the last
    // commit (found by its adgate-replay-id) is not sent again.
    assert.equal(sent, BigInt(LETTERS), `each letter sent once in all: ${resumed.stderr}`);
    await waitAllCommitted(pipeline, gateway?.output);
    assert.equal(await landed(), LETTERS, 'each replayed event landed once');
    const replayed = metricValue(
      await fetchMetrics(gateway?.url ?? ''),
      'adgate_sink_redriven_messages_total',
      { via: 'replay' },
    );
    assert.equal(replayed, Number(sent), 'the sink counted what the replay sent');

    const again = await cli(['replay', '--reason', 'invalid']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /sent 0/);
    assert.equal((await pipeline.endTotal()) - base, sent, 'a second replay sends nothing');
    await waitAllCommitted(pipeline, gateway?.output);
    assert.equal(await landed(), LETTERS);
  });

  it('purges a prefix of each partition, after confirmation (--yes)', async () => {
    const refused = await cli(['purge', '--before', new Date(Date.now() + 60_000).toISOString()]);
    assert.equal(refused.code, 1, 'no confirmation on stdin: nothing deleted');
    const purge = await cli([
      'purge',
      '--before',
      new Date(Date.now() + 60_000).toISOString(),
      '--yes',
    ]);
    assert.equal(purge.code, 0, purge.stderr);
    assert.match(purge.stdout, new RegExp(`purged ${LETTERS + 2} letters`));
    const stats = await cli(['stats', '--json']);
    assert.equal(JSON.parse(stats.stdout.split('\n')[0] ?? '').letters, 0);
  });

  it('has help for every verb', async () => {
    for (const verb of ['', 'stats', 'list', 'show', 'replay', 'purge']) {
      const help = await cli([...(verb === '' ? [] : [verb]), '--help']);
      assert.equal(help.code, 0, `${verb} --help`);
      assert.match(help.stdout, /Usage: adgate dlq/);
    }
  });
});
