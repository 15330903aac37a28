import { DependencyUnavailableError } from '../errors/adgate-error.js';
import { recordBytes } from './record-size.js';
import type { OutboundMessage } from './types.js';

// A broker refuses a record batch over message.max.bytes (1 MiB by
// default), and kafkajs writes one record batch per partition per request;
// capping a whole request below that keeps every partition's share under it.
// The cap is lower still because kafkajs encodes a request in one
// synchronous run (about 20 µs a record on a slow 2-core machine): at 900 KiB
// that held the event loop, HTTP and sink alike, for up to 170 ms under load.
// 256 KiB (about 900 events) still takes a 500-event HTTP request whole;
// 128 KiB split those in two round trips and doubled their ack p99.
const MAX_REQUEST_BYTES = 256 * 1024;
// Past this much waiting to be sent, new sends fail at once (the caller
// answers 503) instead of queueing without bound while Kafka is away.
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;

export interface PendingSend {
  readonly topic: string;
  readonly messages: readonly OutboundMessage[];
  /** The rough cost counted against MAX_REQUEST_BYTES. */
  readonly bytes: number;
  /** An upper bound of its records in a record batch, against the topic's limit. */
  readonly batchBytes: number;
  /** In a request of its own: it was part of a request the broker refused for size. */
  readonly alone: boolean;
  settle(error?: unknown): void;
}

/**
 * The sends waiting for the producer's one request in flight, bounded by
 * MAX_QUEUED_BYTES. `batchRoom` is what a topic takes in one record batch.
 */
export interface SendQueue {
  readonly isEmpty: boolean;
  /**
   * Queues `messages` cut into pieces that each fit one request; one
   * promise a piece. Rejects at once when the queue is full.
   */
  enqueue(topic: string, messages: readonly OutboundMessage[]): Promise<void>[];
  /** Takes the next request's sends off the queue (see takeRequest). */
  take(): PendingSend[];
  /** Puts `sends` back at the head, each to go in a request of its own. */
  requeueAlone(sends: readonly PendingSend[]): void;
}

export function createSendQueue(batchRoom: (topic: string) => number): SendQueue {
  const queue: PendingSend[] = [];
  let queuedBytes = 0;
  return {
    get isEmpty() {
      return queue.length === 0;
    },
    enqueue(topic, messages) {
      const pieces = cutIntoPieces(messages, batchRoom(topic));
      const total = sumBytes(pieces);
      if (queuedBytes + total > MAX_QUEUED_BYTES) {
        throw new DependencyUnavailableError(
          'kafka_unavailable',
          'Kafka is not keeping up: send queue full',
        );
      }
      const acks = pieces.map(
        (piece) =>
          new Promise<void>((resolve, reject) => {
            queue.push({
              topic,
              ...piece,
              alone: false,
              settle: (error) => (error === undefined ? resolve() : reject(error)),
            });
          }),
      );
      queuedBytes += total;
      return acks;
    },
    take() {
      const taken = takeRequest(queue, batchRoom);
      queuedBytes -= sumBytes(taken);
      return taken;
    },
    requeueAlone(sends) {
      queue.unshift(...sends.map((send) => ({ ...send, alone: true })));
      queuedBytes += sumBytes(sends);
    },
  };
}

function sumBytes(sends: readonly { readonly bytes: number }[]): number {
  return sends.reduce((sum, send) => sum + send.bytes, 0);
}

/** The rough size the request cap was tuned with (value, key and a little framing). */
function roughBytes(m: OutboundMessage): number {
  return (m.value?.length ?? 0) + (m.key?.length ?? 0) + 64;
}

/**
 * Takes the next request off the queue: sends in order while the request
 * stays under MAX_REQUEST_BYTES and each topic's share under what that
 * topic takes in one record batch (kafkajs writes one per partition).
 */
function takeRequest(queue: PendingSend[], batchRoom: (topic: string) => number): PendingSend[] {
  const taken: PendingSend[] = [];
  const perTopic = new Map<string, number>();
  let bytes = 0;
  while (queue.length > 0) {
    const next = queue[0] as PendingSend;
    const topicBytes = (perTopic.get(next.topic) ?? 0) + next.batchBytes;
    if (taken.length > 0) {
      if (next.alone || taken[0]?.alone) break;
      if (bytes + next.bytes > MAX_REQUEST_BYTES) break;
      if (topicBytes > batchRoom(next.topic)) break;
    }
    taken.push(next);
    perTopic.set(next.topic, topicBytes);
    bytes += next.bytes;
    queue.shift();
  }
  return taken;
}

/** Cuts a send into pieces that fit one request, and `batchRoom` (one record batch), each. */
function cutIntoPieces(messages: readonly OutboundMessage[], batchRoom: number) {
  const pieces: { messages: OutboundMessage[]; bytes: number; batchBytes: number }[] = [];
  let current = { messages: [] as OutboundMessage[], bytes: 0, batchBytes: 0 };
  for (const m of messages) {
    const size = roughBytes(m);
    const batchSize = recordBytes(m);
    const full =
      current.bytes + size > MAX_REQUEST_BYTES || current.batchBytes + batchSize > batchRoom;
    if (current.messages.length > 0 && full) {
      pieces.push(current);
      current = { messages: [], bytes: 0, batchBytes: 0 };
    }
    current.messages.push(m);
    current.bytes += size;
    current.batchBytes += batchSize;
  }
  if (current.messages.length > 0) pieces.push(current);
  return pieces;
}
