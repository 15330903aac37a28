import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Admin, Kafka } from 'kafkajs';
import { createKafka } from '../../src/kafka/create-kafka.js';
import { createProducer } from '../../src/kafka/create-producer.js';
import {
  encodeRecord,
  fitsFastPath,
  installRecordEncoder,
  type KafkaJsRecord,
  loadedRecordEncoder,
} from '../../src/kafka/record-encoder.js';
import { generateChunks } from '../../testkit/stream/generate-chunks.js';
import { within } from '../../testkit/wait-for.js';
import { uniqueName } from '../support/names.js';
import { readTopic } from '../support/pipeline.js';
import { KAFKA_BROKERS, quietLog } from '../support/services.js';

// adgate's record encoder stands in for kafkajs's own in every produce
// request: it must write the very same bytes for every record kafkajs's
// producer can make, and leave kafkajs's encoder the records it does not take.

// Taken before any createKafka of this file: kafkajs's own.
const kafkaJs = loadedRecordEncoder();
const sameBytes = (record: KafkaJsRecord) =>
  assert.deepEqual(encodeRecord(record), kafkaJs(record).buffer, JSON.stringify(record));

describe('record encoder: the bytes kafkajs writes', () => {
  it('for the bench stream events, as the HTTP ingress sends them', () => {
    const chunk = generateChunks({
      seed: 7,
      chunkSize: 2_000,
      duplicateShare: 0.1,
      malformedShare: 0.01,
      outOfOrderShare: 0.1,
    }).next().value;
    let n = 0;
    for (const item of chunk.items) {
      sameBytes({
        offsetDelta: n++,
        timestampDelta: 0,
        key: item.key,
        value: Buffer.from(item.json),
        headers: { 'adgate-source': 'ad-server-1' },
      });
    }
    assert.ok(n >= 2_000);
  });

  it('for edge cases: null and empty keys and values, text, header arrays, varint boundaries', () => {
    const values = [null, '', Buffer.alloc(0), 'é€😀', Buffer.alloc(127, 1), Buffer.alloc(128, 2)];
    const deltas = [0, 1, 63, 64, 8_191, 8_192, 1_048_575, 1_048_576, 2 ** 30 - 1];
    for (const value of values) {
      for (const offsetDelta of deltas) {
        for (const timestampDelta of [0, -1, -64, 65, -(2 ** 30 - 1), 2 ** 30 - 1]) {
          sameBytes({ offsetDelta, timestampDelta, key: value, value });
        }
      }
    }
    sameBytes({ key: 'k', value: 'v', headers: { a: ['x', 'yy', ''], b: Buffer.from([0, 255]) } });
    sameBytes({ key: 'k', value: 'v' });
  });

  it('leaves kafkajs the records it does not take exactly', () => {
    assert.equal(fitsFastPath({ timestampDelta: 2 ** 30 }), false);
    assert.equal(fitsFastPath({ timestampDelta: '5' }), false);
    assert.equal(fitsFastPath({ timestampDelta: 0.5 }), false);
    assert.equal(fitsFastPath({ offsetDelta: -1 }), false);
    // kafkajs refuses a header without a value: so it still does.
    assert.equal(fitsFastPath({ headers: { none: null } }), false);
    assert.equal(fitsFastPath({ headers: { some: ['a', undefined] } }), false);
    assert.equal(fitsFastPath({ offsetDelta: 10, timestampDelta: -10 }), true);
  });
});

describe('record encoder: installed into kafkajs, through a real broker', () => {
  let kafka: Kafka;
  let admin: Admin;
  const topic = uniqueName('t.recordencoder');

  before(async () => {
    kafka = createKafka({ clientId: 'adgate-test', brokers: KAFKA_BROKERS.split(',') }, quietLog);
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
    });
  });
  after(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await within(30_000, 'admin disconnect', admin.disconnect());
  });

  it('is in place, and what adgate produces reads back whole', async () => {
    assert.equal(installRecordEncoder(quietLog), true);
    assert.notEqual(loadedRecordEncoder(), kafkaJs);
    const producer = createProducer(kafka, quietLog);
    const sent = Array.from({ length: 500 }, (_, i) => ({
      key: `imp-${i}`,
      value: Buffer.from(JSON.stringify({ i, text: 'é'.repeat(i % 9) })),
      headers: { 'adgate-source': `src-${i % 3}` },
      timestampMs: 1_700_000_000_000 + (i % 2),
    }));
    try {
      await producer.send(topic, sent, 30_000);
    } finally {
      await producer.close();
    }
    const landed = await readTopic({ kafka }, topic, sent.length);
    const byKey = new Map(landed.map((m) => [m.key, m]));
    for (const m of sent) {
      const got = byKey.get(m.key);
      assert.deepEqual(
        [String(got?.value), got?.headers['adgate-source'], got?.timestamp],
        [String(m.value), m.headers['adgate-source'], m.timestampMs],
      );
    }
  });
});
