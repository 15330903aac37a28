import type { SendUnit } from '../../testkit/stream/route-stream.js';
import { emptyHttpStats, type HttpSender, type HttpStats } from './http-load.js';
import { emptyKafkaStats, type KafkaLoad, type KafkaStats } from './kafka-load.js';
import type { PreparedUnit } from './prepared-stream.js';

/** What a phase sends: units made as it goes (StreamRouter) or ahead of it (PreparedStream). */
export interface UnitSource {
  /** The next unit; with `closing`, only what ends the chunk in hand; undefined when done. */
  next(closing: boolean): SendUnit | PreparedUnit | undefined;
}

export interface DriveSettings {
  readonly name: string;
  /** Messages per second offered, or 'max': as fast as the slots allow. */
  readonly rate: number | 'max';
  readonly durationMs: number;
  readonly httpSlots: number;
  readonly kafkaSlots: number;
  /** With rate 'max': false pauses the load (the consumer lag is too high). */
  readonly mayProceed?: () => boolean;
  /** Ends the phase early (at the next chunk boundary) once it returns true. */
  readonly until?: () => boolean;
}

/** One load phase, filled in while it runs (the progress line reads it). */
export interface PhaseLoad {
  readonly name: string;
  readonly rate: number | 'max';
  readonly startedAtMs: number;
  endedAtMs: number | undefined;
  /** Messages handed to HTTP or Kafka (events, duplicates, malformed), whole retries excluded. */
  items: number;
  /** Malformed messages sent over HTTP (to be rejected) and straight to Kafka (to the DLQ). */
  malformedHttp: number;
  malformedKafka: number;
  /** Time the max-rate load spent paused because the lag was above --max-lag. */
  pausedMs: number;
  /** With a target rate: sends that left more than 100 ms after their scheduled time. */
  lateSends: number;
  maxLateMs: number;
  readonly http: HttpStats;
  readonly kafka: KafkaStats;
}

/**
 * Drives the router's units into HTTP and Kafka for one phase: open loop
 * at a target rate (each unit leaves at its scheduled time, whatever is
 * still in flight, up to a bound), or closed loop at the max rate (a unit
 * leaves as soon as a slot is free). The phase ends at the first chunk
 * boundary after its duration, so that what was sent is exactly what the
 * expected totals hold.
 */
export async function driveLoad(
  router: UnitSource,
  http: HttpSender | undefined,
  kafka: KafkaLoad | undefined,
  settings: DriveSettings,
  onStart: (phase: PhaseLoad) => void = () => undefined,
): Promise<PhaseLoad> {
  const phase: PhaseLoad = {
    name: settings.name,
    rate: settings.rate,
    startedAtMs: Date.now(),
    endedAtMs: undefined,
    items: 0,
    malformedHttp: 0,
    malformedKafka: 0,
    pausedMs: 0,
    lateSends: 0,
    maxLateMs: 0,
    http: emptyHttpStats(),
    kafka: emptyKafkaStats(),
  };
  onStart(phase);
  const open = settings.rate !== 'max';
  // Open loop lets requests queue in the client (their wait counts in the
  // ack latency) but not without bound.
  const httpSlots = new Slots(open ? settings.httpSlots * 4 : settings.httpSlots);
  const kafkaSlots = new Slots(open ? settings.kafkaSlots * 2 : settings.kafkaSlots);
  const inFlight = new Set<Promise<void>>();
  const t0 = performance.now();
  let offered = 0;

  for (;;) {
    const closing = performance.now() - t0 >= settings.durationMs || (settings.until?.() ?? false);
    const unit = router.next(closing);
    if (unit === undefined) break;
    if (settings.rate === 'max') {
      if (settings.mayProceed !== undefined && !settings.mayProceed()) {
        const pausedAt = performance.now();
        while (!settings.mayProceed()) await sleep(50);
        phase.pausedMs += performance.now() - pausedAt;
      }
    } else {
      const due = t0 + (offered / settings.rate) * 1000;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
    }
    offered += unit.items;
    const slots = unit.kind === 'http' ? httpSlots : kafkaSlots;
    await slots.take();
    if (settings.rate !== 'max') {
      const late = performance.now() - (t0 + ((offered - unit.items) / settings.rate) * 1000);
      if (late > 100) phase.lateSends += 1;
      phase.maxLateMs = Math.max(phase.maxLateMs, late);
    }
    const sending = sendUnit(unit, http, kafka, phase).finally(() => {
      slots.release();
      inFlight.delete(sending);
    });
    inFlight.add(sending);
  }
  await Promise.all(inFlight);
  phase.endedAtMs = Date.now();
  return phase;
}

async function sendUnit(
  unit: SendUnit | PreparedUnit,
  http: HttpSender | undefined,
  kafka: KafkaLoad | undefined,
  phase: PhaseLoad,
): Promise<void> {
  phase.items += unit.items;
  if (unit.kind === 'http') {
    if (http === undefined) throw new Error('an HTTP unit without an HTTP client');
    phase.malformedHttp += unit.malformed;
    await http.send(unit.body, phase.http, { first: true });
    if (unit.retry) {
      phase.http.wholeRetries += 1;
      await http.send(unit.body, phase.http, { first: false });
    }
    return;
  }
  if (kafka === undefined) throw new Error('a Kafka unit without a Kafka producer');
  if (!('batches' in unit))
    throw new Error('a Kafka unit not prepared (PreparedStream) ahead of its phase');
  phase.malformedKafka += unit.malformed;
  await kafka.send(unit, unit.malformed, phase.kafka);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A counting semaphore. */
class Slots {
  private used = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly size: number) {}

  take(): Promise<void> {
    if (this.used < this.size) {
      this.used += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.used -= 1;
  }
}
