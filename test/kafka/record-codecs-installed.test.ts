import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { Kafka } from 'kafkajs';
import { crc32c } from '../../src/kafka/crc32c.js';
import { createProducer } from '../../src/kafka/create-producer.js';
import { produceRequestV3 } from '../../src/kafka/produce-request.js';
import { decodeRecord, loadedRecordDecoder } from '../../src/kafka/record-decoder.js';
import { encodeRecord, loadedRecordEncoder } from '../../src/kafka/record-encoder.js';
import { startRuntimeMetrics } from '../../src/telemetry/runtime-metrics.js';
import { type KafkaWithTopics, kafkaWithTopics } from '../support/kafka-topics.js';
import { uniqueName } from '../support/names.js';
import { readTopic } from '../support/pipeline.js';
import { quietLog } from '../support/services.js';

// In the gateway, OpenTelemetry's require hook (require-in-the-middle, from
// the runtime metrics) sits in front of every require and keeps what it
// saw: createKafka must have put adgate's produce request, record encoder
// and decoder and CRC32C in place before kafkajs's produce requests and record batch
// decoder ask for them, through that hook.

/** kafkajs's record module as its batch encoder uses it: an Encoder, its buffer and write offset. */
type RecordModule = (record: object) => { buf: Buffer; offset: number; buffer: Buffer };

const kafkaJsModule = (path: string) =>
  createRequire(createRequire(import.meta.url).resolve(`kafkajs/src/protocol/${path}`));
const produceRequest = kafkaJsModule('requests/produce/v3/request.js');
const recordBatchDecoder = kafkaJsModule('recordBatch/v0/decoder.js');
const produceRequests = kafkaJsModule('requests/produce/index.js');

describe('produce request, record encoder and decoder, CRC32C: installed by createKafka, behind the runtime metrics hook', () => {
  let broker: KafkaWithTopics;
  let kafka: Kafka;
  let stopRuntime: () => void;
  const topic = uniqueName('t.recordencoder');

  before(async () => {
    stopRuntime = startRuntimeMetrics(new MeterProvider());
    broker = await kafkaWithTopics([{ topic, numPartitions: 3, replicationFactor: 1 }]);
    kafka = broker.kafka;
  });
  after(async () => {
    stopRuntime();
    await broker.close();
  });

  it("is what kafkajs's produce request gets for its record module", () => {
    const record = { offsetDelta: 2, key: 'k', value: 'v', headers: { 'adgate-source': 's' } };
    const given = produceRequest('../../../recordBatch/record/v0') as RecordModule;
    assert.equal(given, loadedRecordEncoder());
    const encoder = given(record);
    assert.deepEqual(encoder.buffer, encodeRecord(record));
    // kafkajs's own writes into a 512-byte buffer; adgate's into one of the record's size.
    assert.equal(encoder.buf.length, encoder.offset);
  });

  it("is what kafkajs's produce requests v3 to v7 are built on", () => {
    assert.equal(produceRequests('./v3/request'), produceRequestV3);
    assert.equal(
      kafkaJsModule('requests/produce/v4/request.js')('../v3/request'),
      produceRequestV3,
    );
  });

  it("is what kafkajs's record batch decoder gets for its record module", () => {
    assert.equal(recordBatchDecoder('../record/v0/decoder'), decodeRecord);
    assert.equal(loadedRecordDecoder(), decodeRecord);
  });

  it("is what kafkajs's record batch encoder (compressed batches) gets for its CRC32C", () => {
    assert.equal(kafkaJsModule('recordBatch/v0/index.js')('../crc32C'), crc32c);
  });

  it('writes records that read back whole through a broker', async () => {
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
