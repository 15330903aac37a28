import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  freePort,
  type GatewayProcess,
  startGatewayProcess,
} from '../../testkit/gateway-process.js';
import { generateStream } from '../../testkit/stream/generate-stream.js';
import { verifyOutcome } from '../../testkit/verify-outcome.js';
import { waitFor } from '../../testkit/wait-for.js';
import { BalancedClient } from '../support/balanced-client.js';
import { createTestPipeline, type TestPipeline } from '../support/pipeline.js';
import { jsonBatches } from '../support/send-stream.js';

const DRAIN_TIMEOUT_MS = 20_000;

/**
 * Two gateway instances (HTTP ingress and sink) under steady load from a
 * client that retries on the other instance, as a load balancer would.
 */
async function rollingDeploy(pipeline: TestPipeline, seed: number, killOne: boolean) {
  const ports = [await freePort(), await freePort()];
  const env = { ...pipeline.env, ADGATE_DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS) };
  const live: (GatewayProcess | undefined)[] = await Promise.all(
    ports.map((port) => startGatewayProcess(env, { port })),
  );
  const client = new BalancedClient(() =>
    live.filter((g): g is GatewayProcess => g !== undefined).map((g) => g.url),
  );
  const { items, expected } = generateStream({
    seed,
    distinct: 30_000,
    duplicateShare: 0.15,
    malformedShare: 0,
    outOfOrderShare: 0.1,
    campaigns: 30,
    ads: 60,
    publishers: 30,
  });
  const batches = jsonBatches(items);
  const queue = [...batches];
  let restarting = true;
  let restartsDone!: () => void;
  const afterRestarts = new Promise<void>((r) => {
    restartsDone = r;
  });
  // Paced, and slower still near the end, so that load keeps flowing
  // through every restart however slow the machine is today; the last 5 %
  // is held back until the restarts are done, so that a slow restart never
  // finds the stream already sent.
  const pause = () => (!restarting ? 0 : queue.length < batches.length * 0.3 ? 250 : 15);
  const next = async () => {
    if (restarting && queue.length < batches.length * 0.05) await afterRestarts;
    return queue.shift();
  };
  const load = Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let b = await next(); b !== undefined; b = await next()) {
        await client.post(b);
        await new Promise((r) => setTimeout(r, pause()));
      }
    }),
  );
  const exits: { code: number | null; signal: NodeJS.Signals | null }[] = [];
  try {
    for (let i = 0; i < ports.length; i += 1) {
      await waitFor('load flowing', () => client.acknowledged > (i + 1) * 3_000, 60_000);
      const ackedBefore = client.acknowledged;
      const old = live[i] as GatewayProcess;
      live[i] = undefined;
      if (killOne && i === 1) {
        exits.push(await old.stop('SIGKILL'));
      } else {
        exits.push(await old.stop('SIGTERM', DRAIN_TIMEOUT_MS + 5_000));
      }
      live[i] = await startGatewayProcess(env, { port: ports[i] });
      // The other instance took requests while this one drained and came back.
      assert.ok(client.acknowledged > ackedBefore, `restart ${i + 1} happened under load`);
    }
    restarting = false;
    restartsDone();
    await load;
    const end = await pipeline.endTotal();
    await waitFor(
      'the sinks to commit everything',
      async () => (await pipeline.committedTotal()) === end,
      120_000,
      250,
    );
    const verdict = await verifyOutcome(pipeline.db.pool, expected);
    assert.deepEqual(verdict.differences, []);
    return { exits, statuses: Object.fromEntries(client.statuses) };
  } finally {
    restartsDone(); // a failed run must not leave the held-back load waiting
    for (const g of live) await g?.stop('SIGKILL').catch(() => undefined);
  }
}

describe('rolling deploy', () => {
  let pipeline: TestPipeline;
  before(async () => {
    pipeline = await createTestPipeline({ partitions: 6 });
  });
  after(async () => {
    await pipeline?.cleanup();
  });

  it('restarting both instances one after the other counts every event once', async () => {
    const { exits, statuses } = await rollingDeploy(pipeline, 51, false);
    assert.deepEqual(exits, [
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
    process.stdout.write(`# client saw ${JSON.stringify(statuses)}\n`);
  });
});

describe('rolling deploy with a crash', () => {
  let pipeline: TestPipeline;
  before(async () => {
    pipeline = await createTestPipeline({ partitions: 6 });
  });
  after(async () => {
    await pipeline?.cleanup();
  });

  it('SIGKILL of one instance during a rolling restart keeps counts exact', async () => {
    const { exits, statuses } = await rollingDeploy(pipeline, 52, true);
    assert.deepEqual(exits, [
      { code: 0, signal: null },
      { code: null, signal: 'SIGKILL' },
    ]);
    process.stdout.write(`# client saw ${JSON.stringify(statuses)}\n`);
  });
});
