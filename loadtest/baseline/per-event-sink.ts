import { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { keyBytes } from '../../src/event/idempotency-key.js';
import type { InboundMessage } from '../../src/kafka/types.js';
import { decodeMessage } from '../../src/sink/decode-message.js';
import { migrate } from '../../src/store/migrate.js';
import { createLogger } from '../../src/telemetry/logger.js';

export interface BaselineResult {
  /** Messages handled (inserted, duplicate or malformed) per second. */
  readonly perSecond: number;
  readonly messages: number;
  readonly inserted: number;
  readonly duplicates: number;
  readonly malformed: number;
  readonly seconds: number;
  /** True when it read the whole topic before its time was up. */
  readonly caughtUp: boolean;
  readonly problem?: string;
}

const RULES = { window: { pastMs: 7 * 86_400_000, futureMs: 5 * 60_000 }, maxEventBytes: 65_536 };
const DEDUP_TTL_MS = 8 * 86_400_000;

// One statement, one round trip: the key, the event and its billing row,
// as the batched sink does per batch (event_keys arbitrates duplicates).
// updated_at and updated_xid take their defaults on insert (now() and the
// transaction's id) and follow the sums on conflict, as in the sink, so
// that both pay for the same indexes.
const INSERT_ONE = `
WITH k AS (
  INSERT INTO event_keys (idempotency_key) VALUES ($1) ON CONFLICT DO NOTHING RETURNING idempotency_key
), e AS (
  INSERT INTO ad_events (idempotency_key, type, impression_id, occurred_at, campaign_id, ad_id,
    publisher_id, conversion_id, cost_micros, revenue_micros, currency, attributes, source,
    received_at, kafka_partition, kafka_offset)
  SELECT idempotency_key, $2::text, $3, $4::timestamptz, $5::text, $6::text, $7::text, $8,
    $9::bigint, $10::bigint, $11::text, $12::jsonb, $13, $14, $15, $16 FROM k
  RETURNING occurred_at
)
INSERT INTO billing_hourly AS b (hour, campaign_id, ad_id, publisher_id, currency,
  impressions, clicks, conversions, cost_micros, revenue_micros)
SELECT date_trunc('hour', occurred_at, 'UTC'), $5::text, $6::text, $7::text, $11::text,
  ($2::text = 'impression')::int, ($2::text = 'click')::int, ($2::text = 'conversion')::int,
  $9::bigint, $10::bigint
FROM e
ON CONFLICT (campaign_id, hour, ad_id, publisher_id, currency) DO UPDATE SET
  impressions = b.impressions + excluded.impressions,
  clicks = b.clicks + excluded.clicks,
  conversions = b.conversions + excluded.conversions,
  cost_micros = b.cost_micros + excluded.cost_micros,
  revenue_micros = b.revenue_micros + excluded.revenue_micros,
  updated_at = excluded.updated_at,
  updated_xid = excluded.updated_xid`;

/** One message the naive way: decode, one Redis SET NX, one INSERT statement (autocommit). */
async function sinkOne(
  inbound: InboundMessage,
  redis: Redis,
  client: pg.Client,
  redisPrefix: string,
): Promise<'inserted' | 'duplicate' | 'malformed'> {
  const decoded = decodeMessage(inbound, RULES);
  if (decoded.kind === 'dead-letter') return 'malformed';
  const { row } = decoded;
  const keyBuffer = keyBytes(row.key);
  const key = Buffer.concat([Buffer.from(`${redisPrefix}:`), keyBuffer]);
  const fresh = await redis.set(key, '1', 'PX', DEDUP_TTL_MS, 'NX');
  if (fresh === null) return 'duplicate';
  const e = row.event;
  const result = await client.query(INSERT_ONE, [
    keyBuffer,
    e.type,
    e.impression_id,
    e.occurred_at,
    e.campaign_id,
    e.ad_id,
    e.publisher_id,
    e.conversion_id ?? null,
    e.cost_micros,
    e.revenue_micros,
    e.currency,
    e.attributes === undefined ? null : JSON.stringify(e.attributes),
    row.source,
    new Date(row.receivedAtMs),
    row.partition,
    String(row.offset),
  ]);
  return (result.rowCount ?? 0) > 0 ? 'inserted' : 'duplicate';
}

/**
 * The serial design that batching replaces, for comparison on the same
 * topic: one message at a time, one Redis SET NX, one INSERT statement
 * (autocommit: one transaction), one Kafka offset commit. Its own
 * consumer group, Redis prefix and database (migrated with adgate's own
 * migrations). Malformed messages are counted and committed past, not
 * produced to a DLQ, which only flatters it. Runs for `seconds` after its
 * first message, or until it has read `stopAfter` messages.
 */
export async function runPerEventBaseline(options: {
  kafka: Kafka;
  topic: string;
  group: string;
  redisUrl: string;
  redisPrefix: string;
  databaseUrl: string;
  /** Days (YYYY-MM-DD, UTC) the stream's occurred_at fall on: their partitions are created first. */
  days: readonly string[];
  seconds: number;
  stopAfter: number;
}): Promise<BaselineResult> {
  await migrate(options.databaseUrl, createLogger('error'));
  const client = new pg.Client({
    connectionString: options.databaseUrl,
    application_name: 'adgate-baseline',
  });
  await client.connect();
  for (const day of options.days)
    await client.query('SELECT adgate_ensure_day_partition($1::date)', [day]);
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
  const consumer = options.kafka.consumer({
    groupId: options.group,
    allowAutoTopicCreation: false,
  });
  let messages = 0;
  let inserted = 0;
  let duplicates = 0;
  let malformed = 0;
  let firstAt: number | undefined;
  let lastAt = 0;
  let failure: unknown;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let timer: NodeJS.Timeout | undefined;

  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachMessage: async ({ topic, partition, message }) => {
        if (firstAt === undefined) {
          firstAt = performance.now();
          timer = setTimeout(finish, options.seconds * 1000);
        }
        try {
          const inbound: InboundMessage = {
            topic,
            partition,
            offset: BigInt(message.offset),
            key: message.key,
            value: message.value,
            headers: message.headers as Record<string, Buffer | undefined>,
            timestampMs: Number(message.timestamp),
          };
          const outcome = await sinkOne(inbound, redis, client, options.redisPrefix);
          if (outcome === 'inserted') inserted += 1;
          else if (outcome === 'duplicate') duplicates += 1;
          else malformed += 1;
          await consumer.commitOffsets([
            { topic, partition, offset: String(BigInt(message.offset) + 1n) },
          ]);
          messages += 1;
          lastAt = performance.now();
          if (messages >= options.stopAfter) finish();
        } catch (error) {
          failure = error;
          finish();
          throw error;
        }
      },
    });
    // Nothing at all to read would leave it waiting for a first message.
    const idle = setTimeout(finish, Math.max(30_000, options.seconds * 3_000));
    await finished;
    clearTimeout(idle);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
    redis.disconnect();
    await client.end().catch(() => undefined);
  }
  const seconds = firstAt === undefined ? 0 : (lastAt - firstAt) / 1000;
  return {
    perSecond: seconds > 0 ? messages / seconds : 0,
    messages,
    inserted,
    duplicates,
    malformed,
    seconds,
    caughtUp: messages >= options.stopAfter,
    ...(failure === undefined ? {} : { problem: String(failure) }),
  };
}
