import type { Config } from '../config/load-config.js';
import { createKafka } from '../kafka/create-kafka.js';
import { createProducer } from '../kafka/create-producer.js';
import { kafkaSettingsFrom } from '../kafka/kafka-settings.js';
import type { Producer } from '../kafka/types.js';
import { createLogger } from '../telemetry/logger.js';
import { dlqGroupId } from './create-dlq-part.js';
import { createLetterStore } from './kafka-letter-store.js';
import type { DlqContext } from './scan-letters.js';

export interface CommandContext extends DlqContext {
  readonly producer: Producer;
  readonly produceTimeoutMs: number;
  readonly dlqGroup: string;
  close(): Promise<void>;
}

/**
 * What `adgate dlq` and `adgate offsets` work with: the Kafka of the
 * configuration, its topics and groups. Logs (kafkajs's warnings) go to
 * stderr, so that stdout holds only the command's output (NDJSON for
 * scripts). The producer connects only when a replay sends.
 */
export function createCommandContext(config: Config): CommandContext {
  const log = createLogger('warn', { component: 'cli' }, (line) => process.stderr.write(line));
  // The gateway's own Kafka settings (TLS, SASL included), under its own client id.
  const settings = kafkaSettingsFrom(config);
  const kafka = createKafka({ ...settings, clientId: `${settings.clientId}-cli` }, log);
  const store = createLetterStore(kafka);
  let producer: Producer | undefined;
  return {
    store,
    get producer() {
      producer ??= createProducer(kafka, log);
      return producer;
    },
    produceTimeoutMs: config.ADGATE_PRODUCE_TIMEOUT_MS,
    topics: {
      ingest: config.ADGATE_TOPIC,
      dlq: config.ADGATE_DLQ_TOPIC,
      dead: config.ADGATE_DEAD_TOPIC,
    },
    group: config.ADGATE_CONSUMER_GROUP,
    dlqGroup: dlqGroupId(config),
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    async close() {
      await producer?.close();
      await store.close();
    },
  };
}
