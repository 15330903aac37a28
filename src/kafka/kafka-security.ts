import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';

/** What the Kafka client needs of the configuration to reach secured brokers. */
export interface KafkaSecuritySettings {
  readonly ssl: boolean;
  readonly caPem?: string;
  readonly certPem?: string;
  readonly keyPem?: string;
  readonly sasl?: {
    readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    readonly username: string;
    readonly password: string;
  };
}

/**
 * kafkajs's `ssl` and `sasl` options. TLS is on when asked for or when any
 * TLS file is given, and always verifies the brokers (against the CA given,
 * else the system's): there is no switch to turn verification off.
 */
export function kafkaSecurityOptions(settings: KafkaSecuritySettings): {
  ssl?: ConnectionOptions;
  sasl?: SASLOptions;
} {
  const tls =
    settings.ssl ||
    settings.caPem !== undefined ||
    settings.certPem !== undefined ||
    settings.keyPem !== undefined;
  const ssl: ConnectionOptions | undefined = tls
    ? {
        rejectUnauthorized: true,
        ...(settings.caPem === undefined ? {} : { ca: [settings.caPem] }),
        ...(settings.certPem === undefined ? {} : { cert: settings.certPem }),
        ...(settings.keyPem === undefined ? {} : { key: settings.keyPem }),
      }
    : undefined;
  const sasl = settings.sasl === undefined ? undefined : ({ ...settings.sasl } as SASLOptions);
  return { ...(ssl === undefined ? {} : { ssl }), ...(sasl === undefined ? {} : { sasl }) };
}
