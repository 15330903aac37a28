import type { Kafka, LogEntry } from 'kafkajs';
import type { Logger } from '../telemetry/logger.js';
import { installCrc32c } from './crc32c.js';
import { installRequestFraming } from './frame-request.js';
import { installGrouping } from './group-by-partition.js';
import { type KafkaSecuritySettings, kafkaSecurityOptions } from './kafka-security.js';
import { kafkajs } from './kafkajs.js';
import { installProduceRequest } from './produce-request.js';
import { installQuietRequestQueue } from './quiet-request-queue.js';
import { installRecordDecoder } from './record-decoder.js';
import { installRecordEncoder } from './record-encoder.js';

// Only src/kafka/ imports kafkajs (see types.ts for why), through kafkajs.ts.
const { logLevel } = kafkajs;

export interface KafkaSettings {
  readonly clientId: string;
  readonly brokers: readonly string[];
  /** TLS and SASL; unset, plain TCP without authentication (the local stack). */
  readonly security?: KafkaSecuritySettings;
}

/**
 * The kafkajs client, its log bridged into ours (component `kafkajs`), its
 * producers writing requests and records with adgate's encoders
 * (produce-request.ts, record-encoder.ts), its consumers reading records
 * with adgate's decoder (record-decoder.ts), its messages grouped by
 * partition and each request framed without kafkajs's copies
 * (group-by-partition.ts, frame-request.ts), its batches' checksums
 * taken sixteen bytes a step (crc32c.ts), its connections' request queues
 * setting no timer while nothing waits (quiet-request-queue.ts).
 */
export function createKafka(settings: KafkaSettings, log: Logger): Kafka {
  const kafkaLog = log.child({ component: 'kafkajs' });
  installRecordEncoder(kafkaLog);
  installRecordDecoder(kafkaLog);
  installProduceRequest(kafkaLog);
  installGrouping(kafkaLog);
  installRequestFraming(kafkaLog);
  installCrc32c(kafkaLog);
  installQuietRequestQueue(kafkaLog);
  return new kafkajs.Kafka({
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    ...(settings.security === undefined ? {} : kafkaSecurityOptions(settings.security)),
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...fields } = entry;
        // Every deploy and scale-out rebalances the group, and kafkajs
        // reports the heartbeats refused meanwhile as errors: routine, so
        // they must not page anyone.
        if (isRoutineRebalance(fields)) kafkaLog.info(message, fields);
        else if (level <= logLevel.ERROR) kafkaLog.error(message, fields);
        else kafkaLog.warn(message, fields);
      },
  });
}

// kafkajs's text for the broker's REBALANCE_IN_PROGRESS (error code 27).
const REBALANCING_TEXT = 'The group is rebalancing, so a rejoin is needed';

/** Whether a kafkajs log entry is a request refused because the group is rebalancing. */
export function isRoutineRebalance(fields: Record<string, unknown>): boolean {
  return fields.error === REBALANCING_TEXT;
}
