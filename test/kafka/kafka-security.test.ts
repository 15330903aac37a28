import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/errors/adgate-error.js';
import { kafkaSecurityOptions } from '../../src/kafka/kafka-security.js';
import { kafkaSettingsFrom } from '../../src/kafka/kafka-settings.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  assert.fail('expected a ConfigError');
}

describe('Kafka TLS and SASL settings (issue 14)', () => {
  it('is plain TCP with no settings: the local stack', () => {
    assert.deepEqual(
      kafkaSecurityOptions(kafkaSettingsFrom(loadConfig({})).security ?? { ssl: false }),
      {},
    );
  });

  it('turns TLS on with a CA file, verifies always, and passes SASL through', () => {
    const dir = mkdtempSync(join(tmpdir(), 'adgate-kafka-sec-'));
    try {
      const ca = join(dir, 'ca.pem');
      writeFileSync(ca, PEM);
      const config = loadConfig({
        ADGATE_KAFKA_SSL_CA_FILE: ca,
        ADGATE_KAFKA_SASL_MECHANISM: 'scram-sha-512',
        ADGATE_KAFKA_SASL_USERNAME: 'u',
        ADGATE_KAFKA_SASL_PASSWORD: 'p',
      });
      const options = kafkaSecurityOptions(kafkaSettingsFrom(config).security ?? { ssl: false });
      assert.deepEqual(options.ssl, { rejectUnauthorized: true, ca: [PEM] });
      assert.deepEqual(options.sasl, { mechanism: 'scram-sha-512', username: 'u', password: 'p' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses half a configuration, naming what is missing', () => {
    assert.match(
      configError({ ADGATE_KAFKA_SASL_MECHANISM: 'plain', ADGATE_KAFKA_SASL_USERNAME: 'u' }),
      /ADGATE_KAFKA_SASL_MECHANISM: needs ADGATE_KAFKA_SASL_USERNAME and ADGATE_KAFKA_SASL_PASSWORD/,
    );
    assert.match(configError({ ADGATE_KAFKA_SASL_USERNAME: 'u' }), /name the mechanism/);
    assert.match(
      configError({ ADGATE_KAFKA_SSL_CA_FILE: '/no/such/ca.pem' }),
      /ADGATE_KAFKA_SSL_CA_FILE: cannot read/,
    );
    assert.match(
      configError({ ADGATE_REDIS_TLS_CA_FILE: '/no/such/ca.pem' }),
      /ADGATE_REDIS_TLS_CA_FILE: cannot read/,
    );
  });
});
