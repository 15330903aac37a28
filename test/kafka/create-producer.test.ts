import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Admin, Kafka } from 'kafkajs';
import { AdgateError } from '../../src/errors/adgate-error.js';
import { createKafka } from '../../src/kafka/create-kafka.js';
import { createProducer } from '../../src/kafka/create-producer.js';
import { describeLimits } from '../../src/kafka/ensure-topics.js';
import type { OutboundMessage } from '../../src/kafka/types.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { within } from '../../testkit/wait-for.js';
import { uniqueName } from '../support/names.js';
import { KAFKA_BROKERS, quietLog } from '../support/services.js';

// SPEC §4: one message never holds back the others. The producer coalesces
// concurrent sends (HTTP and DLQ alike) into one request; a record the
// broker refuses for its size must fail only its own send, and the
// producer must go on producing afterwards.

const SMALL_LIMIT = 16 * 1024;

describe('producer: a record refused for its size fails only its own send', () => {
  let kafka: Kafka;
  let admin: Admin;
  const wide = uniqueName('t.producer.wide');
  const small = uniqueName('t.producer.small');

  before(async () => {
    kafka = createKafka({ clientId: 'adgate-test', brokers: KAFKA_BROKERS.split(',') }, quietLog);
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: wide, numPartitions: 3, replicationFactor: 1 },
        {
          topic: small,
          numPartitions: 1,
          replicationFactor: 1,
          configEntries: [{ name: 'max.message.bytes', value: String(SMALL_LIMIT) }],
        },
      ],
    });
  });
  after(async () => {
    await admin.deleteTopics({ topics: [wide, small] }).catch(() => undefined);
    await within(30_000, 'admin disconnect', admin.disconnect());
  });

  const events = (tag: string, n: number): OutboundMessage[] =>
    Array.from({ length: n }, (_, i) => ({ key: `${tag}-${i}`, value: `{"n":${i}}` }));

  async function countByKey(topic: string): Promise<Map<string, number>> {
    const offsets = await admin.fetchTopicOffsets(topic);
    const total = offsets.reduce((sum, p) => sum + Number(p.high), 0);
    const consumer = kafka.consumer({ groupId: uniqueName('t.producer.reader') });
    const counts = new Map<string, number>();
    let seen = 0;
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let done!: () => void;
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const key = message.key?.toString() ?? '';
        counts.set(key, (counts.get(key) ?? 0) + 1);
        seen += 1;
        if (seen >= total) done();
      },
    });
    await within(60_000, `reading ${topic}`, finished);
    await consumer.disconnect();
    return counts;
  }

  it('lands the sends coalesced with the refused one, and every send after it', async () => {
    // Not told the small topic's limit: the broker's refusal is the only signal.
    const producer = createProducer(kafka, quietLog);
    try {
      await producer.send(wide, events('warm', 3), 30_000);
      // One send in flight; the next three queue behind it and go as one request.
      const inFlight = producer.send(wide, events('first', 3), 30_000);
      const before = producer.send(wide, events('before', 30), 30_000);
      const oversized = producer.send(
        small,
        [{ key: 'big', value: Buffer.alloc(SMALL_LIMIT * 2, 'x') }],
        30_000,
      );
      const behind = producer.send(wide, events('behind', 30), 30_000);
      const refusal = oversized.then(
        () => assert.fail('the oversized send was acknowledged'),
        (error: unknown) => error,
      );
      await Promise.all([inFlight, before, behind]);
      const error = await refusal;
      assert.ok(error instanceof AdgateError, String(error));
      assert.equal(error.reason, 'too_large');
      assert.equal(error.retriable, false);
      // After the refusal the producer goes on, on every partition it wrote.
      await producer.send(wide, events('after', 30), 30_000);
      assert.equal(producer.maxRecordBytes(small), SMALL_LIMIT - 61, 'limit read again');
    } finally {
      await within(30_000, 'producer close', producer.close());
    }
    const counts = await countByKey(wide);
    for (const tag of ['warm', 'first', 'before', 'behind', 'after']) {
      const n = tag === 'warm' || tag === 'first' ? 3 : 30;
      for (let i = 0; i < n; i += 1) {
        // At least once: after a refusal the others of its request are resent.
        assert.ok((counts.get(`${tag}-${i}`) ?? 0) >= 1, `${tag}-${i} landed`);
      }
    }
    assert.equal(
      (await admin.fetchTopicOffsets(small))[0]?.high,
      '0',
      'nothing in the small topic',
    );
  });

  it('never coalesces more of a topic into one request than that topic accepts', async () => {
    const [limit] = await describeLimits(admin, [small]);
    assert.equal(limit, SMALL_LIMIT);
    const lines: string[] = [];
    const log = createLogger('warn', {}, (line) => lines.push(line));
    const producer = createProducer(kafka, log, {
      topicLimits: new Map([[small, SMALL_LIMIT]]),
    });
    try {
      await producer.send(wide, events('warm2', 3), 30_000);
      // Each fits alone; two in one record batch would not.
      const each = (tag: string) => [
        { key: null, value: Buffer.alloc(Math.floor(SMALL_LIMIT * 0.6), tag) },
      ];
      const inFlight = producer.send(wide, events('second', 3), 30_000);
      await Promise.all([
        inFlight,
        producer.send(small, each('a'), 30_000),
        producer.send(small, each('b'), 30_000),
        // One send of two is cut in two pieces as well.
        producer.send(small, [...each('c'), ...each('d')], 30_000),
      ]);
    } finally {
      await within(30_000, 'producer close', producer.close());
    }
    assert.equal((await admin.fetchTopicOffsets(small))[0]?.high, '4');
    // Known limits keep the request under them: the broker refused nothing.
    assert.deepEqual(
      lines.filter((l) => l.includes('Kafka produce failed')),
      [],
    );
  });
});
