import { createRequire } from 'node:module';
import { connect, type Socket } from 'node:net';
import type { PartitionBatch } from './record-batches.js';

/**
 * One plaintext connection to a Kafka broker that sends Produce requests
 * (version 3, the oldest a Kafka 4 broker takes) around record batches
 * encoded beforehand (record-batches.ts): per send, only the request's
 * frame is written. Several requests may be in flight; a broker answers
 * those of one connection in order. A partition's error fails the whole
 * send with the broker's error name; a lost connection fails every send
 * in flight, and the connection stays closed.
 */

const PRODUCE = 0;
const PRODUCE_VERSION = 3;
const CLIENT_ID = 'adgate-load';

const require = createRequire(import.meta.url);
const { createErrorFromCode } = require('kafkajs/src/protocol/error.js') as {
  createErrorFromCode: (code: number) => Error & { type: string };
};

export interface ProduceSettings {
  /** -1: every in-sync replica; 1: the leader. */
  readonly acks: number;
  readonly timeoutMs: number;
}

interface InFlight {
  readonly correlationId: number;
  resolve(): void;
  reject(error: Error): void;
}

export class ProduceConnection {
  private nextCorrelationId = 1;
  private readonly inFlight: InFlight[] = [];
  private received: Buffer = Buffer.alloc(0);
  private closedBy: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('Kafka connection closed')));
  }

  static open(host: string, port: number): Promise<ProduceConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new ProduceConnection(socket));
      });
    });
  }

  /** Resolves once the broker acknowledged every batch (as `acks` asks). */
  produce(topic: string, batches: readonly PartitionBatch[], settings: ProduceSettings) {
    if (this.closedBy !== undefined) return Promise.reject(this.closedBy);
    const correlationId = this.nextCorrelationId++;
    const frame = produceFrame(correlationId, topic, batches, settings);
    return new Promise<void>((resolve, reject) => {
      this.inFlight.push({ correlationId, resolve, reject });
      this.socket.cork();
      for (const piece of frame) this.socket.write(piece);
      this.socket.uncork();
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk]);
    while (this.received.length >= 4) {
      const size = this.received.readInt32BE(0);
      if (this.received.length < 4 + size) return;
      const response = this.received.subarray(4, 4 + size);
      this.received = this.received.subarray(4 + size);
      this.settle(response);
    }
  }

  private settle(response: Buffer): void {
    const waiting = this.inFlight.shift();
    const correlationId = response.readInt32BE(0);
    if (waiting === undefined || waiting.correlationId !== correlationId) {
      this.fail(new Error(`Kafka answered correlation id ${correlationId} out of order`));
      this.socket.destroy();
      return;
    }
    const code = firstErrorCode(response.subarray(4));
    if (code === 0) waiting.resolve();
    else waiting.reject(createErrorFromCode(code));
  }

  private fail(error: Error): void {
    this.closedBy ??= error;
    for (const waiting of this.inFlight.splice(0)) waiting.reject(error);
  }
}

/** The request's pieces: its header and body around the batches, which are written as they are. */
function produceFrame(
  correlationId: number,
  topic: string,
  batches: readonly PartitionBatch[],
  settings: ProduceSettings,
): Buffer[] {
  const topicBytes = Buffer.from(topic);
  const clientBytes = Buffer.from(CLIENT_ID);
  const head = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientBytes.length + 2 + 2 + 4 + 4 + 2);
  let at = head.writeInt32BE(0, 0); // the frame's size, written below
  at = head.writeInt16BE(PRODUCE, at);
  at = head.writeInt16BE(PRODUCE_VERSION, at);
  at = head.writeInt32BE(correlationId, at);
  at = head.writeInt16BE(clientBytes.length, at);
  at += clientBytes.copy(head, at);
  at = head.writeInt16BE(-1, at); // no transactional id
  at = head.writeInt16BE(settings.acks, at);
  at = head.writeInt32BE(settings.timeoutMs, at);
  at = head.writeInt32BE(1, at); // one topic
  head.writeInt16BE(topicBytes.length, at);
  const pieces: Buffer[] = [head, topicBytes, int32(batches.length)];
  for (const { partition, batch } of batches) {
    const partitionHead = Buffer.alloc(8);
    partitionHead.writeInt32BE(partition, 0);
    partitionHead.writeInt32BE(batch.length, 4);
    pieces.push(partitionHead, batch);
  }
  const size = pieces.reduce((sum, piece) => sum + piece.length, 0) - 4;
  head.writeInt32BE(size, 0);
  return pieces;
}

function int32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeInt32BE(value, 0);
  return bytes;
}

/**
 * The first partition error code of a Produce v3 response body (after
 * the correlation id), 0 when every partition succeeded:
 * [topic: string, [partition int32, error int16, base offset int64,
 * log append time int64]], throttle time int32.
 */
function firstErrorCode(body: Buffer): number {
  let at = 0;
  const topics = body.readInt32BE(at);
  at += 4;
  for (let t = 0; t < topics; t += 1) {
    at += 2 + body.readInt16BE(at);
    const partitions = body.readInt32BE(at);
    at += 4;
    for (let p = 0; p < partitions; p += 1) {
      const code = body.readInt16BE(at + 4);
      if (code !== 0) return code;
      at += 4 + 2 + 8 + 8;
    }
  }
  return 0;
}
