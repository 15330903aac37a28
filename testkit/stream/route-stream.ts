import type { ExpectedTotals } from './expected-totals.js';
import type { StreamChunk } from './generate-chunks.js';
import { createRandom, type StreamItem } from './stream-events.js';

export interface RouteOptions {
  readonly seed: number;
  /** Share of messages written straight into Kafka (0: all HTTP, 1: all Kafka). */
  readonly kafkaShare: number;
  /** Share of HTTP requests sent a second time, whole, after their 202. */
  readonly retryShare: number;
  /** Events per HTTP request. */
  readonly batchSize: number;
  /** Messages per Kafka-direct send. */
  readonly kafkaBatch: number;
}

export interface HttpUnit {
  readonly kind: 'http';
  /** NDJSON: a malformed line is rejected alone (SPEC §3), the rest go on. */
  readonly body: string;
  readonly items: number;
  readonly malformed: number;
  /** Send it again, whole, once acknowledged: what a client does after a lost response. */
  readonly retry: boolean;
}

export interface KafkaUnit {
  readonly kind: 'kafka';
  readonly messages: readonly { readonly key: string; readonly value: string }[];
  readonly items: number;
  readonly malformed: number;
}

export type SendUnit = HttpUnit | KafkaUnit;

/**
 * Cuts the generated stream into what the load generator sends: HTTP
 * requests of `batchSize` events and Kafka-direct sends of `kafkaBatch`
 * messages, each message routed by a seeded coin. A chunk's distinct
 * events are added to the expected totals when the chunk is taken, and a
 * phase ends only at a chunk boundary (next(true) sends what is left of
 * the chunk in hand), so the expected totals are exactly what was sent.
 */
export class StreamRouter {
  private readonly random: () => number;
  private chunk: StreamChunk | undefined;
  private cursor = 0;
  private http: StreamItem[] = [];
  private kafka: StreamItem[] = [];

  constructor(
    private readonly chunks: Iterator<StreamChunk>,
    private readonly expected: Pick<ExpectedTotals, 'addChunk'>,
    private readonly options: RouteOptions,
  ) {
    this.random = createRandom(options.seed ^ 0x5bd1e995);
  }

  /**
   * The next unit to send. With `closing`, no new chunk is taken: what is
   * left of the current one comes out (the last requests may be short),
   * then undefined.
   */
  next(closing: boolean): SendUnit | undefined {
    for (;;) {
      if (this.http.length >= this.options.batchSize) return this.httpUnit(this.options.batchSize);
      if (this.kafka.length >= this.options.kafkaBatch) {
        return this.kafkaUnit(this.options.kafkaBatch);
      }
      const item = this.chunk?.items[this.cursor];
      if (item !== undefined) {
        this.cursor += 1;
        (this.random() < this.options.kafkaShare ? this.kafka : this.http).push(item);
        continue;
      }
      if (closing) {
        if (this.http.length > 0) return this.httpUnit(this.http.length);
        if (this.kafka.length > 0) return this.kafkaUnit(this.kafka.length);
        return undefined;
      }
      const next = this.chunks.next();
      if (next.done === true) throw new Error('the stream of chunks ended');
      this.chunk = next.value;
      this.cursor = 0;
      this.expected.addChunk(next.value);
    }
  }

  private httpUnit(n: number): HttpUnit {
    const taken = this.http.splice(0, n);
    let body = '';
    let malformed = 0;
    for (const item of taken) {
      body += `${item.json}\n`;
      if (item.kind === 'malformed') malformed += 1;
    }
    const retry = this.random() < this.options.retryShare;
    return { kind: 'http', body, items: taken.length, malformed, retry };
  }

  private kafkaUnit(n: number): KafkaUnit {
    const taken = this.kafka.splice(0, n);
    let malformed = 0;
    for (const item of taken) if (item.kind === 'malformed') malformed += 1;
    return {
      kind: 'kafka',
      messages: taken.map((item) => ({ key: item.key, value: item.json })),
      items: taken.length,
      malformed,
    };
  }
}
