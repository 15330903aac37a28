import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Admin, Kafka } from 'kafkajs';
import { ProduceConnection } from '../../testkit/kafka/produce-connection.js';
import {
  type BatchRecord,
  batchTimestamp,
  encodePartitionBatches,
  restampBatch,
} from '../../testkit/kafka/record-batches.js';
import { type KafkaWithTopics, kafkaWithTopics } from '../support/kafka-topics.js';
import { uniqueName } from '../support/names.js';
import { readTopic } from '../support/pipeline.js';
import { KAFKA_BROKERS } from '../support/services.js';

// The bench's Kafka-direct load encodes its record batches before the timed
// window and only stamps and writes them in it. What lands must be what
// kafkajs's own producer would have written: keys, values, headers, the
// partition chosen, offsets in order, and the time of sending.

describe('testkit: record batches encoded ahead, sent over a raw produce connection', () => {
  let broker: KafkaWithTopics;
  let kafka: Kafka;
  let admin: Admin;
  let connection: ProduceConnection;
  const topic = uniqueName('t.rawproduce');
  const [host = '127.0.0.1', port = '9092'] = (KAFKA_BROKERS.split(',')[0] ?? '').split(':');

  before(async () => {
    broker = await kafkaWithTopics([{ topic, numPartitions: 2, replicationFactor: 1 }]);
    ({ kafka, admin } = broker);
    connection = await ProduceConnection.open(host, Number(port));
  });
  after(async () => {
    connection.close();
    await broker.close();
  });

  const records = (partition: number, n: number): BatchRecord[] =>
    Array.from({ length: n }, (_, i) => ({
      key: `p${partition}-k${i}`,
      value: `{"partition":${partition},"i":${i},"text":"é ü"}`,
      headers: { 'adgate-source': `src-${partition}` },
    }));

  it('lands every record on its partition, in order, stamped at the time of sending', async () => {
    const encodedAt = Date.now() - 60_000;
    const byPartition = new Map([
      [0, records(0, 300)],
      [1, records(1, 7)],
    ]);
    const batches = await encodePartitionBatches(byPartition, encodedAt);
    assert.deepEqual(
      batches.map((b) => [b.partition, b.records]),
      [
        [0, 300],
        [1, 7],
      ],
    );
    const sentAt = Date.now();
    for (const b of batches) restampBatch(b.batch, sentAt);
    await connection.produce(topic, batches, { acks: -1, timeoutMs: 30_000 });

    const landed = await readTopic({ kafka }, topic, 307);
    for (const [partition, sent] of byPartition) {
      const mine = landed.filter((m) => m.partition === partition);
      assert.deepEqual(
        mine.map((m) => [m.offset, m.key, String(m.value), m.headers['adgate-source']]),
        sent.map((r, i) => [String(i), r.key, r.value, r.headers['adgate-source']]),
      );
    }
    // CreateTime as restamped: the broker checked the CRC of the new bytes.
    assert.ok(landed.every((m) => m.timestamp === sentAt));
    assert.equal(batchTimestamp(batches[0]?.batch ?? Buffer.alloc(0)), sentAt);
  });

  it('fails a send with the broker error name, and keeps the connection for the next', async () => {
    const batches = await encodePartitionBatches(new Map([[5, records(5, 2)]]));
    await assert.rejects(
      connection.produce(topic, batches, { acks: -1, timeoutMs: 5_000 }),
      (error: Error & { type?: string }) => error.type === 'UNKNOWN_TOPIC_OR_PARTITION',
    );
    const fine = await encodePartitionBatches(new Map([[1, records(1, 1)]]));
    await connection.produce(topic, fine, { acks: 1, timeoutMs: 5_000 });
    const offsets = await admin.fetchTopicOffsets(topic);
    assert.equal(offsets.find((o) => o.partition === 1)?.high, '8');
  });

  it('fails every send in flight when the connection is lost', async () => {
    const spare = await ProduceConnection.open(host, Number(port));
    const batches = await encodePartitionBatches(new Map([[0, records(0, 1)]]));
    const sending = spare.produce(topic, batches, { acks: -1, timeoutMs: 5_000 });
    spare.close();
    await assert.rejects(sending);
    await assert.rejects(spare.produce(topic, batches, { acks: -1, timeoutMs: 5_000 }));
  });
});
