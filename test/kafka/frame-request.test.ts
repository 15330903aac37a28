import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import {
  type FrameArgs,
  frameRequest,
  installRequestFraming,
  loadedRequestFraming,
} from '../../src/kafka/frame-request.js';
import { produceRequestV3 } from '../../src/kafka/produce-request.js';
import { sampleItems } from '../../testkit/stream/generate-chunks.js';
import { assertKeptWithWarning } from '../support/kept-kafkajs-module.js';

// Nothing in this process loads src/kafka/kafkajs.ts, so kafkajs's own
// framing is what loadedRequestFraming gives here: the reference.
const kafkaJsFraming = loadedRequestFraming();
const require = createRequire(import.meta.url);
type RequestOf = (args: object) => FrameArgs['request'];
const metadataV6 = require('kafkajs/src/protocol/requests/metadata/v6/request.js') as RequestOf;
const Long = require('kafkajs/src/utils/long.js') as { fromInt(v: number): unknown };

async function sameFrame(args: FrameArgs): Promise<void> {
  const ours = await frameRequest(args);
  const theirs = await kafkaJsFraming(args);
  assert.deepEqual(ours.buffer, theirs.buffer);
}

describe("frameRequest: the frame kafkajs's connection writes", () => {
  it('around a produce request of the bench events, and a metadata request', async () => {
    const messages = sampleItems(8, 800).map((item, i) => ({
      key: item.key,
      value: Buffer.from(item.json),
      headers: { 'adgate-source': 'ad-server-1' },
      timestamp: String(1_764_630_000_000 + i),
    }));
    const produce = produceRequestV3({
      acks: -1,
      timeout: 30_000,
      producerId: Long.fromInt(-1),
      topicData: [{ topic: 'events', partitions: [{ partition: 2, messages }] }],
    });
    await sameFrame({ correlationId: 41, clientId: 'adgate-ingress', request: produce });
    const metadata = metadataV6({
      topics: ['events', 'events.dlq'],
      allowAutoTopicCreation: false,
    });
    await sameFrame({ correlationId: 2 ** 31 - 1, clientId: 'clïent-é', request: metadata });
    await sameFrame({ correlationId: 0, clientId: null, request: metadata });
  });

  it('refuses a body that is no Encoder, as kafkajs does', async () => {
    const request = { apiKey: 0, apiVersion: 3, encode: async () => ({ buffer: Buffer.alloc(1) }) };
    for (const frame of [frameRequest, kafkaJsFraming]) {
      await assert.rejects(frame({ correlationId: 1, clientId: 'c', request }), {
        message: 'value should be an instance of Encoder',
      });
    }
  });

  it('is refused, with a warning, once kafkajs has loaded its own', () => {
    assertKeptWithWarning(installRequestFraming, 'kafkajs request framing kept');
  });
});
