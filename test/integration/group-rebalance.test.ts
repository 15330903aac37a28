import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type GatewayProcess, startGatewayProcess } from '../../testkit/gateway-process.js';
import { generateStream } from '../../testkit/stream/generate-stream.js';
import { verifyOutcome } from '../../testkit/verify-outcome.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import { lastAssignment, problemsIn } from '../support/gateway-logs.js';
import {
  createTestPipeline,
  createTopics,
  produceRaw,
  type TestPipeline,
  waitAllCommitted,
} from '../support/pipeline.js';

const PARTITIONS = 6;
const FEED_CHUNK = 1_000;

/** True when the members' last assignments split every partition between them. */
function splitBetween(members: readonly GatewayProcess[]): boolean {
  const assignments = members.map(lastAssignment);
  if (assignments.some((a) => a === undefined || a.length === 0)) return false;
  const all = assignments.flat() as number[];
  return all.length === PARTITIONS && new Set(all).size === PARTITIONS;
}

describe('group rebalance: sinks joining, leaving and vanishing mid-stream', () => {
  let pipeline: TestPipeline;
  const gateways: GatewayProcess[] = [];
  let aborted = false;

  before(async () => {
    pipeline = await createTestPipeline({
      partitions: PARTITIONS,
      // Smaller batches than the default: messages are still in hand when members change.
      env: { ADGATE_ROLES: 'sink', ADGATE_SINK_WORKERS: '1', ADGATE_BATCH_MAX_EVENTS: '500' },
    });
    await createTopics(pipeline, PARTITIONS);
  });
  after(async () => {
    aborted = true;
    // A graceful stop leaves the group at once; stop() SIGKILLs past the bound.
    for (const gateway of gateways) await gateway.stop('SIGTERM', 30_000).catch(() => undefined);
    await within(60_000, 'pipeline cleanup', pipeline?.cleanup() ?? Promise.resolve());
  });

  it('two sinks, a third joining, one leaving (SIGTERM), one vanishing (SIGKILL): exact', async (t) => {
    const { items, expected } = generateStream({
      seed: 6_006,
      distinct: 24_000,
      duplicateShare: 0.25, // 20% of the messages are duplicates
      malformedShare: 0,
      outOfOrderShare: 0.1,
      campaigns: 50,
      ads: 200,
      publishers: 100,
    });
    const messages = items.map((i) => ({ key: i.key, value: i.json }));

    // The stream flows in the background; each membership change releases
    // the next quarter of it, so that a burst is in flight while it happens.
    let released = 0;
    const release = (share: number) => {
      released = Math.ceil(messages.length * share);
    };
    let fed = 0;
    const feeder = (async () => {
      while (fed < messages.length && !aborted) {
        await waitFor('the next part of the stream', () => fed < released || aborted, 600_000, 20);
        if (aborted) return;
        const upTo = Math.min(fed + FEED_CHUNK, released);
        await produceRaw(pipeline, messages.slice(fed, upTo));
        fed = upTo;
      }
    })();
    feeder.catch(() => undefined); // awaited below; this only keeps an early failure handled
    const backlog = async () => (await pipeline.endTotal()) - (await pipeline.committedTotal());
    const evidence: string[] = [];
    /** Releases the stream up to `share` and returns once a few chunks of it are in Kafka. */
    const burstUnderWay = async (share: number) => {
      const mark = fed + 3 * FEED_CHUNK;
      release(share);
      await waitFor('a burst of the stream in Kafka', () => fed >= mark || aborted, 60_000, 20);
    };

    release(0.25);
    // Pushed as each one is ready, so that `after` kills whatever started.
    const startSink = async () => {
      const gateway = await startGatewayProcess(pipeline.env);
      gateways.push(gateway);
      return gateway;
    };
    const [a, b] = await Promise.all([startSink(), startSink()]);
    await waitFor('A and B to share the partitions', () => splitBetween([a, b]), 60_000);
    await waitFor('a first part of the stream to be committed', async () => {
      return (await pipeline.committedTotal()) > 0n;
    });

    // C joins while the second quarter flows: the burst is released as C
    // boots, so that its join takes partitions from A and B mid-batch.
    const c = await startGatewayProcess(pipeline.env, { waitReady: false });
    gateways.push(c);
    const running = (g: GatewayProcess) => {
      if (g.child.exitCode !== null) throw new Error(`exited early:\n${g.output().slice(-4000)}`);
      return true;
    };
    await waitFor(
      'C to boot',
      () => running(c) && c.output().includes('"msg":"migrations"'),
      60_000,
    );
    release(0.5);
    await waitFor(
      'A, B and C to share the partitions',
      () => running(c) && splitBetween([a, b, c]),
      60_000,
    );
    evidence.push(`C joined with ${await backlog()} uncommitted`);

    // A leaves the group the graceful way (SPEC §7) while the third quarter flows.
    await burstUnderWay(0.75);
    evidence.push(`A leaves with ${await backlog()} uncommitted`);
    const leftA = await a.stop('SIGTERM', 60_000);
    assert.deepEqual(leftA, { code: 0, signal: null }, a.output().slice(-4000));
    await waitFor('B and C to share the partitions', () => splitBetween([b, c]), 60_000);

    // B vanishes without leaving: its partitions wait for its session to
    // expire (ADGATE_KAFKA_SESSION_TIMEOUT_MS, the default here).
    await burstUnderWay(1);
    evidence.push(`B vanishes with ${await backlog()} uncommitted`);
    const killedAt = Date.now();
    b.kill('SIGKILL');
    await within(10_000, 'B to exit after SIGKILL', b.exited());
    await waitFor('C to take every partition', () => running(c) && splitBetween([c]), 120_000, 250);
    evidence.push(`C took B's partitions ${Date.now() - killedAt} ms after the kill`);

    await within(120_000, 'the stream to be fed', feeder);
    const end = await pipeline.endTotal();
    assert.equal(end, BigInt(messages.length), 'every message of the stream is in the topic');
    await waitAllCommitted(pipeline, () => c.output(), 180_000);

    const verdict = await verifyOutcome(pipeline.db.pool, expected);
    assert.deepEqual(verdict.differences, [], problemsIn([a, b, c]));
    assert.equal(verdict.actual.distinct, expected.distinct);
    t.diagnostic(evidence.join('; '));
  });
});
