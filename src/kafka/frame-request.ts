import type { Logger } from '../telemetry/logger.js';
import { stringBytes, writeString } from './kafka-wire.js';
import { asKafkaJsEncoder } from './record-encoder.js';
import { installInPlaceOf, loadKafkaJsModule } from './replace-kafkajs-module.js';

/** What kafkajs's connection hands its protocol/request.js for each request. */
export interface FrameArgs {
  readonly correlationId: number;
  readonly clientId: string | null | undefined;
  readonly request: {
    readonly apiKey: number;
    readonly apiVersion: number;
    encode(): Promise<{ readonly buf?: unknown; readonly buffer: Buffer }>;
  };
}

/**
 * kafkajs's protocol/request.js: a request's frame (its size, API key and
 * version, correlation id and client id) around its encoded body. kafkajs
 * writes the header and the body into one Encoder, then the size and that
 * into another, each growing from 512 zeroed bytes by doubling and copying:
 * for a 256 KiB produce request, some 20 Buffers allocated and copied. Here
 * one Buffer of the frame's size. kafkajs's connection takes this module
 * when kafkajs loads, so kafkajs.ts installs it before.
 */
export async function frameRequest({ correlationId, clientId, request }: FrameArgs) {
  const payload = await request.encode();
  // kafkajs's writeEncoder refuses anything else, with this message.
  if (payload == null || !Buffer.isBuffer(payload.buf)) {
    throw new Error('value should be an instance of Encoder');
  }
  const body = payload.buffer;
  const size = 2 + 2 + 4 + stringBytes(clientId) + body.length;
  const frame = Buffer.allocUnsafe(4 + size);
  let at = frame.writeInt32BE(size, 0);
  at = frame.writeInt16BE(request.apiKey, at);
  at = frame.writeInt16BE(request.apiVersion, at);
  at = frame.writeInt32BE(correlationId, at);
  at = writeString(frame, at, clientId);
  body.copy(frame, at);
  return asKafkaJsEncoder(frame);
}

const FRAME_MODULE = 'src/protocol/request.js';

/**
 * Puts frameRequest in kafkajs's place: kafkajs.ts does so before it loads
 * kafkajs, createKafka again with its logger, which then warns if kafkajs
 * had been loaded first and kept its own.
 */
export function installRequestFraming(log?: Logger): boolean {
  return installInPlaceOf(FRAME_MODULE, () => frameRequest, log, 'request framing');
}

/** kafkajs's framing as its connection gets it: kafkajs's own unless installed. */
export function loadedRequestFraming(): typeof frameRequest {
  return loadKafkaJsModule(FRAME_MODULE);
}
