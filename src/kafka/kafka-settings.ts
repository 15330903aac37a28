import type { Config } from '../config/load-config.js';
import type { KafkaSettings } from './create-kafka.js';

/**
 * The Kafka client's settings from the configuration, the one mapping that
 * `serve` and the operator commands share, so that a command reaches a
 * secured cluster exactly as the gateway does.
 */
export function kafkaSettingsFrom(config: Config): KafkaSettings {
  const { ADGATE_KAFKA_SASL_MECHANISM: mechanism } = config;
  const username = config.ADGATE_KAFKA_SASL_USERNAME;
  const password = config.ADGATE_KAFKA_SASL_PASSWORD;
  return {
    clientId: config.ADGATE_KAFKA_CLIENT_ID,
    brokers: config.ADGATE_KAFKA_BROKERS,
    security: {
      ssl: config.ADGATE_KAFKA_SSL,
      caPem: config.ADGATE_KAFKA_SSL_CA_FILE?.pem,
      certPem: config.ADGATE_KAFKA_SSL_CERT_FILE?.pem,
      keyPem: config.ADGATE_KAFKA_SSL_KEY_FILE?.pem,
      // The schema refuses a mechanism without both, so all three or none.
      sasl:
        mechanism !== undefined && username !== undefined && password !== undefined
          ? { mechanism, username, password }
          : undefined,
    },
  };
}
