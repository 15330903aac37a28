import { ExpectedTotals } from '../../testkit/stream/expected-totals.js';
import type { StreamChunk } from '../../testkit/stream/generate-chunks.js';
import { type RouteOptions, StreamRouter } from '../../testkit/stream/route-stream.js';
import { type PreparedKafkaBatches, prepareKafkaBatches } from './kafka-load.js';

/** An HTTP request ready to leave: its NDJSON body already bytes. */
export interface PreparedHttpUnit {
  readonly kind: 'http';
  readonly body: Buffer;
  readonly items: number;
  readonly malformed: number;
  readonly retry: boolean;
}

/** A Kafka-direct send ready to leave: its record batches already encoded. */
export interface PreparedKafkaUnit extends PreparedKafkaBatches {
  readonly kind: 'kafka';
  readonly malformed: number;
}

export type PreparedUnit = PreparedHttpUnit | PreparedKafkaUnit;

/** The units of whole chunks, and what they add to the expected totals once sent. */
interface Segment {
  readonly units: PreparedUnit[];
  readonly expected: ExpectedTotals;
  readonly messages: number;
}

/** What one preparation cost, before the timed window it feeds. */
export interface Preparation {
  readonly messages: number;
  readonly seconds: number;
  /** CPU seconds of this process (generation, expected totals, serialisation). */
  readonly cpuSeconds: number;
  /** Messages waiting in the pool after it. */
  readonly pooled: number;
}

/**
 * The generated stream, routed and serialised ahead of the timed window,
 * so that the load generator's CPU in the window is the sending alone
 * (issue 15: the bench measures adgate, not its generator). Each segment
 * is whole chunks (the router is closed at a chunk's end), so a phase
 * that stops at a segment's end has sent exactly what the expected totals
 * hold: the totals of the segments a phase started are merged into them by
 * settle(), after its load. A phase that empties the pool ends there (`ranOut`): a shorter
 * window, never generation inside it.
 */
export class PreparedStream {
  private readonly segments: Segment[] = [];
  private current: Segment | undefined;
  private cursor = 0;
  private counting: ExpectedTotals | undefined;
  private readonly router: StreamRouter;
  /** Totals of the segments started since the last settle(), merged then: outside the window. */
  private readonly started: ExpectedTotals[] = [];
  /** Messages in the segments not yet started. */
  private pooledMessages = 0;
  /** Set when next() found the pool empty before the phase was closing. */
  ranOut = false;

  constructor(
    chunks: Iterator<StreamChunk>,
    private readonly expected: ExpectedTotals,
    options: RouteOptions,
    /** Kafka-direct records get the partition kafkajs would pick, chosen here rather than in the window. */
    private readonly partitionOf: (key: string) => number,
  ) {
    const sink = { addChunk: (chunk: StreamChunk) => this.counting?.addChunk(chunk) };
    this.router = new StreamRouter(chunks, sink, options);
  }

  get pooled(): number {
    return this.pooledMessages;
  }

  /**
   * Generates and serialises segments until at least `messages` wait in
   * the pool; yields between segments, so that the samplers go on.
   */
  async prepare(messages: number): Promise<Preparation> {
    const started = performance.now();
    const cpu = process.cpuUsage();
    let made = 0;
    while (this.pooledMessages < messages) {
      const segment = await this.nextSegment();
      this.segments.push(segment);
      this.pooledMessages += segment.messages;
      made += segment.messages;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const used = process.cpuUsage(cpu);
    return {
      messages: made,
      seconds: (performance.now() - started) / 1000,
      cpuSeconds: (used.user + used.system) / 1e6,
      pooled: this.pooledMessages,
    };
  }

  /** Takes every prepared segment at once (the backlog mode writes them all). */
  drain(): { units: PreparedUnit[]; expected: ExpectedTotals } {
    const expected = new ExpectedTotals();
    const units: PreparedUnit[] = [];
    for (const segment of this.segments.splice(0)) {
      expected.merge(segment.expected);
      units.push(...segment.units);
    }
    this.pooledMessages = 0;
    return { units, expected };
  }

  /**
   * Adds the segments started since the last call to the expected totals:
   * call it after a phase's load, before anything reads them (a merge
   * costs about a microsecond a message, kept out of the window).
   */
  settle(): void {
    for (const totals of this.started.splice(0)) this.expected.merge(totals);
  }

  /** The next unit to send; with `closing`, only what is left of the segment in hand. */
  next(closing: boolean): PreparedUnit | undefined {
    for (;;) {
      const unit = this.current?.units[this.cursor];
      if (unit !== undefined) {
        this.cursor += 1;
        return unit;
      }
      this.current = undefined;
      if (closing) return undefined;
      const segment = this.segments.shift();
      if (segment === undefined) {
        this.ranOut = true;
        return undefined;
      }
      this.pooledMessages -= segment.messages;
      this.started.push(segment.expected);
      this.current = segment;
      this.cursor = 0;
    }
  }

  /** One chunk (or more, when a unit is larger than a chunk) routed, closed, serialised. */
  private async nextSegment(): Promise<Segment> {
    const expected = new ExpectedTotals();
    this.counting = expected;
    const units: PreparedUnit[] = [];
    let messages = 0;
    for (let unit = this.router.next(false); unit !== undefined; unit = this.router.next(true)) {
      messages += unit.items;
      units.push(
        unit.kind === 'http'
          ? { ...unit, body: Buffer.from(unit.body) }
          : {
              kind: 'kafka',
              ...(await prepareKafkaBatches(unit.messages, this.partitionOf)),
              malformed: unit.malformed,
            },
      );
    }
    this.counting = undefined;
    return { units, expected, messages };
  }
}
