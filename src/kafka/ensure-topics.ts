import type { Admin, Kafka } from 'kafkajs';
import { AdgateError } from '../errors/adgate-error.js';
import { retryWithBackoff } from '../errors/retry-with-backoff.js';
import type { Logger } from '../telemetry/logger.js';
import { classifyKafkaError } from './classify-kafka-error.js';
import { kafkajs } from './kafkajs.js';

// CommonJS: not visible to Node's ESM loader as a named export.
const { ConfigResourceTypes } = kafkajs;

export interface TopicPlan {
  /** The ingest topic (SPEC §4): created with the broker's defaults. */
  readonly ingest: string;
  /** The DLQ and dead topics: created to take the ingest topic's largest message plus headers. */
  readonly deadLetters: readonly string[];
  readonly partitions: number;
  readonly replication: number;
}

/** Each topic's max.message.bytes: the largest record batch it accepts. */
export type TopicLimits = ReadonlyMap<string, number>;

/**
 * What the gateway adds to a message it dead-letters (SPEC §4): seven
 * adgate-* headers, of which adgate-error is cut at 1,000 UTF-16 units
 * (at most 3,000 bytes of UTF-8), adgate-original-topic at most 249 bytes
 * (Kafka's longest topic name), the rest tens of bytes; plus the two
 * truncation headers and the record framing. 4 KiB bounds all of it.
 */
export const DEAD_LETTER_HEADER_BUDGET_BYTES = 4 * 1024;

/**
 * How much more a dead-letter topic accepts than the ingest topic. 64 KiB
 * is the header budget many times over, so that headers a later step adds
 * (a redrive's, trace context) still fit, and costs the broker nothing:
 * max.message.bytes is a ceiling, not a reservation. It does not cover a
 * message an upstream producer wrote compressed (the limit counts the
 * compressed batch; adgate sends its copy uncompressed): such a letter
 * may still be cut, as any that does not fit.
 */
export const DEAD_LETTER_HEADROOM_BYTES = 64 * 1024;

// Kafka's default message.max.bytes (1 MiB plus the 12-byte log overhead
// of the old message format), assumed only if the broker would not say.
const BROKER_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/**
 * Creates the topics that are missing (SPEC §4), the dead-letter ones with
 * room for the ingest topic's largest message plus the headers, so that a
 * dead letter always fits. Existing topics are left as they are; one whose
 * limit is too small is reported at start (reason too_large), because
 * its oversized letters will be cut. Returns every topic's limit.
 */
export async function ensureTopics(
  kafka: Kafka,
  plan: TopicPlan,
  log: Logger,
): Promise<TopicLimits> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    await createMissing(admin, plan, [plan.ingest], []);
    const [described] = await describeLimitsOnceServed(admin, [plan.ingest]);
    const ingestLimit = described ?? BROKER_DEFAULT_MAX_MESSAGE_BYTES;
    const wanted = ingestLimit + DEAD_LETTER_HEADROOM_BYTES;
    await createMissing(admin, plan, plan.deadLetters, [
      { name: 'max.message.bytes', value: String(wanted) },
    ]);
    const deadLetterLimits = await describeLimitsOnceServed(admin, plan.deadLetters);
    const limits = new Map<string, number>([[plan.ingest, ingestLimit]]);
    plan.deadLetters.forEach((topic, i) => {
      const limit = deadLetterLimits[i];
      if (limit === undefined) return;
      limits.set(topic, limit);
      const needed = ingestLimit + DEAD_LETTER_HEADER_BUDGET_BYTES;
      if (limit < needed) {
        log.warn(
          'dead-letter topic accepts less than the ingest topic plus headers: oversized dead letters will be sent cut',
          {
            reason: 'too_large',
            topic,
            maxMessageBytes: limit,
            ingestTopic: plan.ingest,
            ingestMaxMessageBytes: ingestLimit,
            neededBytes: needed,
            suggestedBytes: wanted,
          },
        );
      }
    });
    return limits;
  } catch (error) {
    throw classifyKafkaError(error);
  } finally {
    await admin.disconnect();
  }
}

async function createMissing(
  admin: Admin,
  plan: TopicPlan,
  topics: readonly string[],
  configEntries: { name: string; value: string }[],
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length === 0) return;
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: plan.partitions,
        replicationFactor: plan.replication,
        configEntries,
      })),
    });
  } catch (error) {
    // Another instance, or another worker of this one, may be creating
    // them right now: its topics show up in the metadata once they exist.
    await untilListed(admin, missing, error);
  }
}

/** Waits up to 10 s for `topics` to be listed; throws `cause` if they never are. */
async function untilListed(admin: Admin, topics: readonly string[], cause: unknown) {
  const giveUpAt = Date.now() + 10_000;
  const notYet = new AdgateError('kafka_unavailable', 'topics not listed yet', {
    retriable: true,
    cause,
  });
  await retryWithBackoff(
    async () => {
      const now = new Set(await admin.listTopics());
      if (topics.some((t) => !now.has(t))) throw notYet;
    },
    (error) => (error instanceof AdgateError ? error : classifyKafkaError(error)),
    { maxDelayMs: 1_000, shouldContinue: () => Date.now() < giveUpAt },
  ).catch((error: unknown) => {
    throw error === notYet ? cause : error;
  });
}

const NOT_SERVED = 'topic configs not served yet';

/**
 * describeLimits, waiting up to 10 s while the broker answers that it
 * does not host a topic it already lists: seen in CI when two instances
 * started together and one had just created the topics (KRaft serves a
 * new topic's configs a moment after its metadata). Past the wait, the
 * broker's answer is thrown as it came.
 */
export async function describeLimitsOnceServed(
  admin: Pick<Admin, 'describeConfigs'>,
  topics: readonly string[],
): Promise<(number | undefined)[]> {
  const giveUpAt = Date.now() + 10_000;
  try {
    return await retryWithBackoff(
      () => describeLimits(admin, topics),
      (error) =>
        (error as { type?: unknown }).type === 'UNKNOWN_TOPIC_OR_PARTITION'
          ? new AdgateError('kafka_unavailable', NOT_SERVED, {
              retriable: true,
              cause: error,
            })
          : classifyKafkaError(error),
      { maxDelayMs: 1_000, shouldContinue: () => Date.now() < giveUpAt },
    );
  } catch (error) {
    throw error instanceof AdgateError && error.message === NOT_SERVED ? error.cause : error;
  }
}

/**
 * The effective max.message.bytes of each topic: its own setting, or the
 * broker's message.max.bytes (1,048,588 by default) when it has none.
 */
export async function describeLimits(
  admin: Pick<Admin, 'describeConfigs'>,
  topics: readonly string[],
): Promise<(number | undefined)[]> {
  if (topics.length === 0) return [];
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({
      type: ConfigResourceTypes.TOPIC,
      name,
      configNames: ['max.message.bytes'],
    })),
  });
  return topics.map((topic) => {
    const resource = resources.find((r) => r.resourceName === topic);
    const entry = resource?.configEntries.find((e) => e.configName === 'max.message.bytes');
    const value = Number(entry?.configValue);
    return Number.isInteger(value) && value > 0 ? value : undefined;
  });
}
