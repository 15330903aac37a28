import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it, mock } from 'node:test';
import {
  installProduceRequest,
  type ProduceMessage,
  type ProduceRequestArgs,
  produceRequestV3,
} from '../../src/kafka/produce-request.js';
import { sampleItems } from '../../testkit/stream/generate-chunks.js';
import { assertKeptWithWarning } from '../support/kept-kafkajs-module.js';

// adgate's Produce v3 request stands in for kafkajs's own: for every send
// kafkajs's producer can make, it must encode the very same bytes. Loaded
// here, kafkajs's own also keeps adgate's from being installed in this
// process (the last test); record-codecs-installed.test.ts installs it.

const require = createRequire(import.meta.url);
type Request = {
  encode(): Promise<{ buffer: Buffer }>;
  apiVersion: number;
  expectResponse(): boolean;
};
const kafkaJs = require('kafkajs/src/protocol/requests/produce/v3/request.js') as (
  args: ProduceRequestArgs,
) => Request;
const Long = require('kafkajs/src/utils/long.js') as { fromValue(v: string): unknown };
const GZIP = (require('kafkajs') as { CompressionTypes: { GZIP: number } }).CompressionTypes.GZIP;

async function sameBytes(args: ProduceRequestArgs): Promise<void> {
  const ours = produceRequestV3(args);
  const theirs = kafkaJs(args);
  assert.deepEqual((await ours.encode()).buffer, (await theirs.encode()).buffer);
  assert.equal(ours.expectResponse(), theirs.expectResponse());
  assert.equal(ours.apiVersion, theirs.apiVersion);
}

const single = (messages: ProduceMessage[], extra: Partial<ProduceRequestArgs> = {}) => ({
  acks: -1,
  timeout: 30_000,
  topicData: [{ topic: 'events', partitions: [{ partition: 0, firstSequence: 0, messages }] }],
  ...extra,
});

describe('produce request: the bytes kafkajs writes', () => {
  it('for the bench stream events over six partitions and two topics, idempotent', async () => {
    const items = sampleItems(5, 1_200);
    const partitions = Array.from({ length: 6 }, (_, partition) => ({
      partition,
      firstSequence: partition * 100,
      messages: items
        .filter((_, i) => i % 6 === partition)
        .map((item, i) => ({
          key: item.key,
          value: Buffer.from(item.json),
          headers: { 'adgate-source': 'ad-server-1' },
          timestamp: String(1_764_630_000_000 + ((i * 37) % 500)),
        })),
    }));
    await sameBytes({
      acks: -1,
      timeout: 30_000,
      producerId: Long.fromValue('4711'),
      producerEpoch: 3,
      topicData: [
        { topic: 'events', partitions },
        { topic: 'events.dlq', partitions: partitions.slice(0, 2) },
      ],
    });
  });

  // A message without a timestamp gets the time now: the same for both encoders.
  before(() => mock.timers.enable({ apis: ['Date'], now: 1_764_630_000_123 }));
  after(() => mock.timers.reset());

  it('for timestamps whose text order is not their number order, numbers, equal ones, none', async () => {
    const message = (timestamp: ProduceMessage['timestamp']) => ({
      key: 'k',
      value: 'v',
      timestamp,
    });
    await sameBytes(single([message('999'), message('1000'), message('5'), message(null)]));
    await sameBytes(single([message(1_000), message(999), message('1000'), message(99)]));
    await sameBytes(single([message('7'), message(7), message('7')]));
  });

  it('with no timestamps (the time now), transactional, without acks, and no messages', async () => {
    const messages = [
      { key: null, value: 'a' },
      { key: 'b', value: null },
    ];
    await sameBytes(single(messages));
    await sameBytes(single(messages, { transactionalId: 'tx-1', acks: 0 }));
    await sameBytes(single([]));
    // An empty text timestamp is kept as the first, and refused by kafkajs's batch encoder.
    const empty = single([{ key: 'b', value: 'v', timestamp: '' }]);
    for (const request of [produceRequestV3(empty), kafkaJs(empty)]) {
      await assert.rejects(request.encode(), { message: 'empty string' });
    }
  });

  it("compressed (gzip), which goes through kafkajs's own batch encoder", async () => {
    const messages = sampleItems(6, 50).map((item, i) => ({
      key: item.key,
      value: Buffer.from(item.json),
      timestamp: String(1_764_630_000_000 + i),
    }));
    await sameBytes(single(messages, { compression: GZIP }));
  });
});

describe('produce request: not installed once kafkajs has loaded its own', () => {
  it("keeps kafkajs's, and says so", () => {
    assertKeptWithWarning(installProduceRequest, 'kafkajs produce request kept');
  });
});
