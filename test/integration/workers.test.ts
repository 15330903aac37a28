import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { GatewayProcess } from '../../testkit/gateway-process.js';
import { generateStream } from '../../testkit/stream/generate-stream.js';
import { verifyOutcome } from '../../testkit/verify-outcome.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import { BalancedClient } from '../support/balanced-client.js';
import { GatewayFleet } from '../support/gateway-fleet.js';
import { lastAssignmentOf, problemsIn } from '../support/gateway-logs.js';
import {
  createTestPipeline,
  createTopics,
  type TestPipeline,
  waitAllCommitted,
} from '../support/pipeline.js';
import { jsonBatches } from '../support/send-stream.js';

// `adgate serve` as a supervisor and its worker processes (src/workers/):
// the drain of SPEC §7 across all of them, and a worker's death.

const DRAIN_TIMEOUT_MS = 20_000;
const PARTITIONS = 4;

/** The stream in batches of 100 for an HTTP client, with duplicates and late events. */
function streamBatches(seed: number) {
  const { items, expected } = generateStream({
    seed,
    distinct: 24_000,
    duplicateShare: 0.1,
    malformedShare: 0,
    outOfOrderShare: 0.1,
    campaigns: 20,
    ads: 50,
    publishers: 20,
  });
  return { batches: jsonBatches(items), expected };
}

/** Six senders, paced so that the load still flows when the test acts. */
function sendAll(client: BalancedClient, batches: string[]) {
  const queue = [...batches];
  const done = Promise.all(
    Array.from({ length: 6 }, async () => {
      for (let b = queue.shift(); b !== undefined; b = queue.shift()) {
        // Retried for up to 100 s: no instance serves between the exit of
        // one and the start of the next.
        await client.post(b, 4_000);
        await new Promise((r) => setTimeout(r, 15));
      }
    }),
  );
  // Awaited by the test later; a failure before that fails the test there.
  done.catch(() => undefined);
  return { done, left: () => queue.length };
}

describe('worker processes (ADGATE_INGRESS_WORKERS, ADGATE_SINK_WORKERS)', () => {
  let pipeline: TestPipeline;
  const fleet = new GatewayFleet(() => ({
    ...pipeline.env,
    ADGATE_DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS),
  }));
  const start = (env: Record<string, string>) => fleet.start(env);

  /** The rest of the load goes to `next`; every event lands once; `next` drains cleanly. */
  const landsOnce = async (
    next: GatewayProcess,
    loadDone: Promise<unknown>,
    expected: ReturnType<typeof streamBatches>['expected'],
  ) => {
    await loadDone;
    await waitAllCommitted(pipeline, () => next.output());
    const verdict = await verifyOutcome(pipeline.db.pool, expected);
    assert.deepEqual(verdict.differences, []);
    assert.deepEqual(await next.stop('SIGTERM'), { code: 0, signal: null });
  };

  // A pipeline of its own for each test: topics, group and database.
  beforeEach(async () => {
    pipeline = await createTestPipeline({ partitions: PARTITIONS });
    await createTopics(pipeline, PARTITIONS);
  });
  afterEach(async () => {
    await fleet.killAll();
    await pipeline?.cleanup();
  });

  it('SIGTERM under load drains two HTTP and two sink workers: exit 0, nothing lost or doubled', async () => {
    const gateway = await start({ ADGATE_INGRESS_WORKERS: '2', ADGATE_SINK_WORKERS: '2' });
    const workers = await gateway.workers();
    assert.deepEqual([...workers.keys()].sort(), ['ingress-0', 'ingress-1', 'sink-0', 'sink-1']);
    // Both sinks are members of the one group: the partitions are shared.
    await waitFor('both sink workers to hold partitions', () =>
      ['sink-0', 'sink-1'].every((w) => (lastAssignmentOf(gateway, w)?.length ?? 0) > 0),
    );
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    for (const worker of ['supervisor', ...workers.keys()]) {
      assert.match(metrics, new RegExp(`process_resident_memory_bytes\\{worker="${worker}"\\}`));
    }

    let urls = [gateway.url];
    const client = new BalancedClient(() => urls);
    const { batches, expected } = streamBatches(51);
    const load = sendAll(client, batches);
    await waitFor('some requests acknowledged', () => client.acknowledged > 3_000);
    const exit = await gateway.stop('SIGTERM', DRAIN_TIMEOUT_MS + 10_000);
    assert.deepEqual(exit, { code: 0, signal: null }, problemsIn([gateway]));
    assert.match(gateway.output(), /"msg":"drain finished","ok":true,"state":"stopped","workers"/);
    assert.ok(load.left() > 0, 'the load was still flowing when the instance exited');
    // What the drained instance refused, the next instance takes.
    const next = await start({ ADGATE_INGRESS_WORKERS: '2', ADGATE_SINK_WORKERS: '2' });
    urls = [next.url];
    await landsOnce(next, load.done, expected);
  });

  it('a sink worker killed with SIGKILL takes the instance to failed; nothing is lost', async () => {
    const gateway = await start({ ADGATE_INGRESS_WORKERS: '1', ADGATE_SINK_WORKERS: '2' });
    let urls = [gateway.url];
    const client = new BalancedClient(() => urls);
    const { batches, expected } = streamBatches(52);
    const load = sendAll(client, batches);
    await waitFor('rows landing', async () => {
      const { rows } = await pipeline.db.pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM ad_events',
      );
      return Number(rows[0]?.n) > 2_000;
    });
    const victim = (await gateway.workers()).get('sink-1');
    assert.ok(victim !== undefined, 'the sink worker runs');
    process.kill(victim, 'SIGKILL');
    // Not half working: unhealthy, then gone with a non-zero exit.
    await waitFor('/healthz to answer 503', async () => {
      const res = await fetch(`${gateway.url}/healthz`).catch(() => undefined);
      return res === undefined || res.status === 503;
    });
    const exit = await within(DRAIN_TIMEOUT_MS + 10_000, 'the instance to exit', gateway.exited());
    assert.equal(exit.code, 1, gateway.output().slice(-3000));
    assert.match(
      gateway.output(),
      /"msg":"a worker exited","reason":"worker_exited","worker":"sink-1"/,
    );
    assert.match(gateway.output(), /"msg":"lifecycle","worker":"ingress-0","state":"failed"/);

    const next = await start({ ADGATE_INGRESS_WORKERS: '1', ADGATE_SINK_WORKERS: '2' });
    urls = [next.url];
    await landsOnce(next, load.done, expected);
  });
});
