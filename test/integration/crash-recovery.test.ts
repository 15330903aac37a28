import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type GatewayProcess, startGatewayProcess } from '../../testkit/gateway-process.js';
import { generateStream } from '../../testkit/stream/generate-stream.js';
import { createRandom } from '../../testkit/stream/stream-events.js';
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

const PARTITIONS = 3;
const KILLS = 22;
const CHUNKS = 18; // fed while the first 18 kills happen; the last kills land on the backlog
const SEED = 0x5eed_c4a5;

interface KillRecord {
  /** When it landed: after the join, or after this sink's first rows. */
  readonly moment: string;
  /** The topic's end just before the kill. */
  readonly end: bigint;
  /** The group's committed offsets once the process was dead (nothing can move them then). */
  readonly committed: bigint;
  /** The offsets recorded in PostgreSQL with the rows, once the process was dead. */
  readonly recorded: bigint;
}

describe('crash recovery: a sink SIGKILLed at random moments while a stream with duplicates flows', () => {
  let pipeline: TestPipeline;
  const gateways: GatewayProcess[] = [];
  let aborted = false;

  before(async () => {
    pipeline = await createTestPipeline({
      partitions: PARTITIONS,
      // Small batches: more flushes in flight, so kills land mid-stream more often.
      env: {
        ADGATE_ROLES: 'sink',
        ADGATE_SINK_WORKERS: '1',
        ADGATE_BATCH_MAX_EVENTS: '200',
        // A killed member holds its partitions until its session expires:
        // the broker's minimum, so that 22 restarts wait 22 × 6 s, not more.
        ADGATE_KAFKA_SESSION_TIMEOUT_MS: '6000',
      },
    });
    // The stream is produced before the first sink creates the topics.
    await createTopics(pipeline, PARTITIONS);
  });
  after(async () => {
    aborted = true;
    // A graceful stop leaves the group at once; stop() SIGKILLs past the bound.
    for (const gateway of gateways) await gateway.stop('SIGTERM', 30_000).catch(() => undefined);
    await within(60_000, 'pipeline cleanup', pipeline?.cleanup() ?? Promise.resolve());
  });

  it(`holds every distinct event exactly once after ${KILLS} kills`, async (t) => {
    const { items, expected } = generateStream({
      seed: SEED,
      distinct: 24_000,
      duplicateShare: 0.25, // 6,000 duplicates among 30,000 messages = 20%
      malformedShare: 0,
      outOfOrderShare: 0.1,
      campaigns: 50,
      ads: 200,
      publishers: 100,
    });
    const messages = items.map((i) => ({ key: i.key, value: i.json }));
    const chunkSize = Math.ceil(messages.length / CHUNKS);
    const random = createRandom(SEED);
    const recordedTotal = async () => {
      const { rows } = await pipeline.db.pool.query<{ n: string }>(
        'SELECT coalesce(sum(next_offset), 0)::text AS n FROM sink_offsets WHERE group_id = $1 AND topic = $2',
        [pipeline.group, pipeline.topic],
      );
      return BigInt(rows[0]?.n ?? '0');
    };

    // The stream flows in the background, one chunk per restart, whatever the kills do.
    let kills = 0;
    const feeder = (async () => {
      for (let c = 0; c < CHUNKS && !aborted; c += 1) {
        await waitFor(`kill ${c} before chunk ${c}`, () => kills >= c || aborted, 600_000, 20);
        await produceRaw(pipeline, messages.slice(c * chunkSize, (c + 1) * chunkSize));
      }
    })();
    feeder.catch(() => undefined); // awaited below; this only keeps an early failure handled

    const records: KillRecord[] = [];
    const running = (gateway: GatewayProcess) => {
      if (gateway.child.exitCode !== null) {
        throw new Error(`the sink exited on its own:\n${gateway.output().slice(-4000)}`);
      }
      return true;
    };
    for (let k = 0; k < KILLS; k += 1) {
      const gateway = await startGatewayProcess(pipeline.env);
      gateways.push(gateway);
      // /readyz does not wait for the group: the previous, killed member
      // holds the partitions until its session expires.
      await waitFor(
        `sink ${k + 1} to be given the partitions`,
        () => running(gateway) && lastAssignment(gateway)?.length === PARTITIONS,
        60_000,
        20,
      );
      const joinedAt = Date.now();
      const roll = random();
      const afterMs = Math.floor(random() * (roll < 0.65 ? 50 : 2_500));
      const midBacklog = roll >= 0.25 && roll < 0.65;
      if (midBacklog) {
        const before = await recordedTotal();
        await waitFor(
          'this sink to write its first rows',
          async () =>
            (await recordedTotal()) > before ||
            (await pipeline.committedTotal()) === (await pipeline.endTotal()),
          60_000,
          20,
        );
      }
      await sleep(afterMs);
      running(gateway);
      const end = await pipeline.endTotal();
      gateway.kill('SIGKILL');
      const exit = await within(10_000, 'exit after SIGKILL', gateway.exited());
      assert.equal(exit.signal, 'SIGKILL', gateway.output().slice(-4000));
      kills += 1;
      const record = {
        moment: `${midBacklog ? 'first rows' : 'joined'} + ${afterMs} ms (joined + ${Date.now() - joinedAt} ms)`,
        end,
        committed: await pipeline.committedTotal(),
        recorded: await recordedTotal(),
      };
      records.push(record);
      // Per kill, so that a failure further on still shows where the kills landed.
      t.diagnostic(
        `kill ${k + 1} at ${record.moment}: end ${end}, committed ${record.committed}, recorded ${record.recorded}`,
      );
    }

    const last = await startGatewayProcess(pipeline.env);
    gateways.push(last);
    await within(120_000, 'the stream to be fed', feeder);
    const end = await pipeline.endTotal();
    assert.equal(end, BigInt(messages.length), 'every message of the stream is in the topic');
    await waitAllCommitted(pipeline, () => last.output(), 180_000);

    const verdict = await verifyOutcome(pipeline.db.pool, expected);
    assert.deepEqual(verdict.differences, [], problemsIn(gateways));
    assert.equal(verdict.actual.distinct, expected.distinct);
    assert.ok((await recordedTotal()) <= end, 'PostgreSQL never records an offset past the end');

    // Evidence that the kills hit the crash window, not an idle sink.
    const uncommitted = records.filter((r) => r.committed < r.end).length;
    const postgresAhead = records.filter((r) => r.recorded > r.committed).length;
    // Rows landed during that process's life, and more were still to come.
    const midWrite = records.filter(
      (r, i) => r.recorded > (records[i - 1]?.recorded ?? 0n) && r.recorded < r.end,
    ).length;
    t.diagnostic(
      `${records.length} kills; ${uncommitted} with messages not yet committed to Kafka; ` +
        `${postgresAhead} with PostgreSQL ahead of Kafka's committed offsets; ` +
        `${midWrite} while the sink was writing with more to come`,
    );
    assert.ok(
      uncommitted >= KILLS / 3 && midWrite >= 3,
      `too few kills landed mid-stream (${uncommitted} uncommitted, ${midWrite} mid-write, of ${KILLS}): the test missed the crash window`,
    );
    // A kill between a flush's PostgreSQL COMMIT and its Kafka offset commit
    // (postgresAhead above) makes the next sink read those messages again.
    // Random kills hit that window only sometimes (0 to 9 of 22 in runs on
    // this machine), so it is not asserted here: recorded-offsets.test.ts
    // puts a sink there every time (Kafka's offsets behind PostgreSQL's) and
    // checks the re-read lands nothing twice.
  });
});
