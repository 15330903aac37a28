import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { GatewayProcess } from '../../testkit/gateway-process.js';
import { generateStream } from '../../testkit/stream/generate-stream.js';
import { verifyOutcome } from '../../testkit/verify-outcome.js';
import { waitFor } from '../../testkit/wait-for.js';
import { BalancedClient } from '../support/balanced-client.js';
import { GatewayFleet } from '../support/gateway-fleet.js';
import { firstLoggedAt } from '../support/gateway-logs.js';
import {
  createTestPipeline,
  createTopics,
  produceRaw,
  type TestPipeline,
  waitAllCommitted,
} from '../support/pipeline.js';
import { startSlowRequest } from '../support/slow-request.js';

const DRAIN_TIMEOUT_MS = 20_000;

/** When the process that serves HTTP began its drain: the supervisor's signal reaches it next. */
const httpDrainBeganAt = (gateway: GatewayProcess) =>
  firstLoggedAt(gateway, 'lifecycle', { state: 'draining', worker: 'ingress-0' });

describe('drain-then-restart (SPEC §7)', () => {
  let pipeline: TestPipeline;
  const fleet = new GatewayFleet(() => ({
    ...pipeline.env,
    ADGATE_DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS),
  }));
  const start = (env: Record<string, string> = {}) => fleet.start(env);

  before(async () => {
    pipeline = await createTestPipeline({ partitions: 4 });
    await createTopics(pipeline, 4);
  });
  afterEach(() => fleet.killAll());
  after(async () => {
    await pipeline?.cleanup();
  });

  it('SIGTERM mid-batch: the batch in hand lands, its offsets are committed, exit 0', async () => {
    const { items, expected } = generateStream({
      seed: 41,
      distinct: 40_000,
      duplicateShare: 0,
      malformedShare: 0,
      outOfOrderShare: 0,
      campaigns: 20,
      ads: 50,
      publishers: 20,
    });
    await produceRaw(
      pipeline,
      items.map((i) => ({ key: i.key, value: i.json })),
    );
    const end = await pipeline.endTotal();
    const sink = await start({
      ADGATE_ROLES: 'sink',
      ADGATE_SINK_WORKERS: '1',
      ADGATE_BATCH_MAX_EVENTS: '500',
    });
    // Some rows landed, so the sink is mid-stream, with a batch in hand.
    await waitFor('the sink to start writing', async () => {
      const { rows } = await pipeline.db.pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM ad_events',
      );
      return Number(rows[0]?.n) > 0;
    });
    const t0 = Date.now();
    const exit = await sink.stop('SIGTERM', DRAIN_TIMEOUT_MS + 5_000);
    const drainMs = Date.now() - t0;
    assert.deepEqual(exit, { code: 0, signal: null }, sink.output().slice(-3000));
    assert.match(sink.output(), /"msg":"drain finished","ok":true/);

    // What was committed to Kafka is exactly what is in PostgreSQL: the
    // batch in hand landed and its offsets were committed before the exit.
    const committed = await pipeline.committedTotal();
    assert.ok(
      committed > 0n && committed < end,
      `drained mid-stream (committed ${committed} of ${end})`,
    );
    const { rows } = await pipeline.db.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM ad_events',
    );
    assert.equal(BigInt(rows[0]?.n ?? -1), committed, 'rows written == offsets committed');
    const recorded = await pipeline.db.pool.query<{ n: string }>(
      'SELECT coalesce(sum(next_offset), 0) AS n FROM sink_offsets WHERE group_id = $1',
      [pipeline.group],
    );
    assert.equal(
      BigInt(recorded.rows[0]?.n ?? -1),
      committed,
      'PostgreSQL and Kafka agree on the position',
    );
    process.stdout.write(`# drain took ${drainMs} ms with ${end - committed} messages left\n`);

    // The next instance resumes from there, exactly once.
    const next = await start({ ADGATE_ROLES: 'sink', ADGATE_SINK_WORKERS: '1' });
    await waitFor(
      'the next instance to finish',
      async () => (await pipeline.committedTotal()) === end,
      120_000,
      250,
    );
    const verdict = await verifyOutcome(pipeline.db.pool, expected);
    assert.deepEqual(verdict.differences, []);
    assert.deepEqual(await next.stop('SIGTERM'), { code: 0, signal: null });
  });
});

describe('drain with HTTP requests in flight', () => {
  let pipeline: TestPipeline;
  const fleet = new GatewayFleet(() => ({
    ...pipeline.env,
    ADGATE_DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS),
  }));

  before(async () => {
    pipeline = await createTestPipeline({ partitions: 4 });
  });
  after(async () => {
    await fleet.killAll();
    await pipeline?.cleanup();
  });

  it('no 202 for an event that does not land, and a 503 retried elsewhere counts once', async () => {
    const first = await fleet.start();
    let urls = [first.url];
    const client = new BalancedClient(() => urls);
    const { items, expected } = generateStream({
      seed: 42,
      distinct: 30_000,
      duplicateShare: 0.1,
      malformedShare: 0,
      outOfOrderShare: 0.1,
      campaigns: 20,
      ads: 50,
      publishers: 20,
    });
    // 50 impressions that nothing else in the stream refers to are kept
    // for one slow request; everything else is the steady load.
    const uses = new Map<string, number>();
    for (const item of items) uses.set(item.key, (uses.get(item.key) ?? 0) + 1);
    const slowItems = items.filter((i) => i.kind === 'event' && uses.get(i.key) === 1).slice(0, 50);
    const loadItems = items.filter((i) => !slowItems.includes(i));
    const batches: string[] = [];
    for (let i = 0; i < loadItems.length; i += 100) {
      batches.push(
        `[${loadItems
          .slice(i, i + 100)
          .map((x) => x.json)
          .join(',')}]`,
      );
    }
    // Steady load, held at three points so that it flows through each step
    // however long a step takes on a slow machine: half of it waits for the
    // replacement to join, a quarter for the first instance's drain to begin,
    // the last 5 % for the first instance's exit.
    const queue = [...batches];
    const secondJoined = opened();
    const drainBegun = opened();
    const firstExited = opened();
    const holds = [
      { left: 0.5, until: secondJoined },
      { left: 0.25, until: drainBegun },
      { left: 0.05, until: firstExited },
    ];
    const next = async () => {
      for (const hold of holds) {
        if (queue.length < batches.length * hold.left) await hold.until.promise;
      }
      return queue.shift();
    };
    const load = Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let b = await next(); b !== undefined; b = await next()) {
          await client.post(b);
          await new Promise((r) => setTimeout(r, 20));
        }
      }),
    );
    await waitFor('some requests acknowledged', () => client.acknowledged > 2_000);
    // A replacement comes up first, as in a rolling deploy, then the first drains.
    const second = await fleet.start();
    urls = [first.url, second.url];
    secondJoined.open();
    await waitFor('both instances serving', () =>
      client.attempts.some((a) => a.url === second.url && a.status === 202),
    );
    // One request is deterministically in flight: its headers and half its
    // body are sent before SIGTERM, the rest after.
    const slow = startSlowRequest(first.url, `[${slowItems.map((i) => i.json).join(',')}]`);
    await slow.headersSent;
    const exitPromise = first.stop('SIGTERM', DRAIN_TIMEOUT_MS + 5_000);
    // Whatever the exit, the held-back load then goes (to the second instance).
    void exitPromise.finally(firstExited.open).catch(() => undefined);
    // The rest of the body goes once the drain has begun: the request is in flight through it.
    await waitFor(
      'the first instance to begin its drain',
      () => httpDrainBeganAt(first) !== undefined,
      DRAIN_TIMEOUT_MS,
      10,
    );
    drainBegun.open();
    slow.finish();
    const slowResult = await slow.response;
    const exit = await exitPromise;
    const exitedAt = Date.now();
    urls = [second.url];
    const stillQueued = queue.length;
    assert.deepEqual(exit, { code: 0, signal: null }, first.output().slice(-3000));
    assert.equal(
      slowResult.status,
      202,
      `the request in flight got ${slowResult.status} ${slowResult.body}`,
    );
    assert.ok(stillQueued > 0, 'the load was still flowing when the first instance exited');
    await load;

    // The drain begins when the instance handles the signal, not when the
    // test sends it: a request sent in between was rightly accepted.
    const drainBegan = httpDrainBeganAt(first);
    assert.ok(drainBegan !== undefined, 'the instance logged the start of its drain');
    const toFirst = client.attempts.filter((a) => a.url === first.url);
    // Strictly after: the log's time has millisecond resolution.
    const duringDrain = toFirst.filter((a) => a.sentAt > drainBegan && a.sentAt <= exitedAt);
    assert.ok(duringDrain.length > 0, 'requests reached the draining instance');
    assert.ok(
      duringDrain.every((a) => a.status === 503 || a.status === 0),
      `nothing new is accepted while draining: ${JSON.stringify(duringDrain)}`,
    );

    // Every acknowledged event, and every retried one, counted once.
    await waitAllCommitted(pipeline, () => second.output());
    const verdict = await verifyOutcome(pipeline.db.pool, expected);
    assert.deepEqual(verdict.differences, []);
    assert.equal(slowItems.length, 50);
    const slowIds = slowItems.map((i) => i.key);
    const landed = await pipeline.db.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM ad_events WHERE impression_id = ANY($1)',
      [slowIds],
    );
    assert.equal(Number(landed.rows[0]?.n), slowItems.length, 'the in-flight request landed');
    process.stdout.write(
      `# sent during the drain: ${duringDrain.length}, statuses: ${JSON.stringify(Object.fromEntries(client.statuses))}\n`,
    );
  });
});

/** A promise that the test resolves when a step it waits for has happened. */
function opened(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
