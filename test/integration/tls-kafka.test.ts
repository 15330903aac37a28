import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type GatewayProcess, startGatewayProcess } from '../../testkit/gateway-process.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import { impression, postEvents } from '../support/events.js';
import { uniqueName } from '../support/names.js';
import { type PrivateSecureKafka, startPrivateSecureKafka } from '../support/private-kafka.js';
import { createTestDatabase, REDIS_URL, type TestDatabase } from '../support/services.js';
import { makeTestCertificates, type TestCertificates } from '../support/tls-certs.js';

// issue 14: Kafka over SASL_SSL. A private broker from the local stack's
// jars whose only client listener is SASL_SSL; the gateway logs in with
// PLAIN and with SCRAM-SHA-256 (the password from a file), verifies the
// broker against the test's CA, and refuses to run with a wrong password.

const USER = { username: 'adgate', password: 'kafka-sasl-pw-93b1c0' };

describe('Kafka over SASL_SSL (issue 14)', () => {
  let certs: TestCertificates;
  let kafka: PrivateSecureKafka;
  let db: TestDatabase;

  before(async () => {
    certs = await makeTestCertificates();
    kafka = await startPrivateSecureKafka(certs, USER);
    db = await createTestDatabase();
  });

  after(async () => {
    await db?.drop();
    await kafka?.stop();
    await certs?.remove();
  });

  const gatewayEnv = async (mechanism: string, password: string) => {
    const base = uniqueName('sasl');
    const passwordFile = join(certs.dir, `${base}.pw`);
    await writeFile(passwordFile, `${password}\n`);
    return {
      ADGATE_KAFKA_BROKERS: kafka.brokers,
      ADGATE_KAFKA_SSL_CA_FILE: certs.caFile,
      ADGATE_KAFKA_SASL_MECHANISM: mechanism,
      ADGATE_KAFKA_SASL_USERNAME: USER.username,
      ADGATE_KAFKA_SASL_PASSWORD_FILE: passwordFile,
      ADGATE_DATABASE_URL: db.url,
      ADGATE_REDIS_URL: REDIS_URL,
      ADGATE_REDIS_KEY_PREFIX: base,
      ADGATE_TOPIC: `${base}.events`,
      ADGATE_DLQ_TOPIC: `${base}.events.dlq`,
      ADGATE_DEAD_TOPIC: `${base}.events.dead`,
      ADGATE_CONSUMER_GROUP: `${base}.sink`,
      ADGATE_TOPIC_PARTITIONS: '1',
      ADGATE_BATCH_MAX_AGE_MS: '50',
    };
  };

  for (const mechanism of ['plain', 'scram-sha-256']) {
    it(`produces and sinks with SASL ${mechanism} over TLS`, async () => {
      const gateway: GatewayProcess = await startGatewayProcess(
        await gatewayEnv(mechanism, USER.password),
      );
      try {
        const id = `sasl-${mechanism}-${Date.now()}`;
        assert.equal((await postEvents(gateway.url, [impression(id)])).status, 202);
        await waitFor(
          'the event to land through the SASL_SSL broker',
          async () =>
            (await db.pool.query('SELECT 1 FROM ad_events WHERE impression_id = $1', [id]))
              .rowCount === 1,
          120_000,
          200,
        );
      } finally {
        await gateway.stop('SIGTERM', 30_000);
      }
      assert.doesNotMatch(
        gateway.output(),
        new RegExp(USER.password),
        'the password is never logged',
      );
    });
  }

  it('does not start with a wrong password', async () => {
    const gateway = await startGatewayProcess(
      await gatewayEnv('scram-sha-256', 'not-the-password'),
      {
        waitReady: false,
      },
    );
    const exit = await within(120_000, 'gateway exit', gateway.exited());
    assert.notEqual(exit.code, 0);
    assert.match(gateway.output(), /SASL|authentication/i);
  });
});
