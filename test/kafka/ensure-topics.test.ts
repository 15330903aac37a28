import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type { Admin, DescribeConfigResponse, Kafka } from 'kafkajs';
import { createKafka } from '../../src/kafka/create-kafka.js';
import { describeLimitsOnceServed, ensureTopics } from '../../src/kafka/ensure-topics.js';
import { uniqueName } from '../support/names.js';
import { KAFKA_BROKERS, quietLog } from '../support/services.js';

// Seen in CI: two instances starting together, one creates the topics, the
// other lists them and is then told by DescribeConfigs that the broker does
// not host them (UNKNOWN_TOPIC_OR_PARTITION), and failed to start.

/** kafkajs's own error for a protocol error code, as its response parsers throw it. */
const protocolError = createRequire(import.meta.url)('kafkajs/src/protocol/error.js')
  .createErrorFromCode as (code: number) => Error;
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const TOPIC_AUTHORIZATION_FAILED = 29;

/** DescribeConfigs answering with each of `answers` in turn: an error to throw, or a limit. */
function scriptedAdmin(answers: (Error | number)[]) {
  let calls = 0;
  const admin: Pick<Admin, 'describeConfigs'> = {
    async describeConfigs(request) {
      const answer = answers[Math.min(calls, answers.length - 1)] as Error | number;
      calls += 1;
      if (answer instanceof Error) throw answer;
      return {
        throttleTime: 0,
        resources: request.resources.map((r) => ({
          resourceType: r.type,
          resourceName: r.name,
          errorCode: 0,
          errorMessage: null,
          configEntries: [
            {
              configName: 'max.message.bytes',
              configValue: String(answer),
              isDefault: false,
              configSource: 5,
              isSensitive: false,
              readOnly: false,
              configSynonyms: [],
            },
          ],
        })),
      } as unknown as DescribeConfigResponse;
    },
  };
  return { admin, calls: () => calls };
}

describe('src/kafka/ensure-topics.ts: a topic another instance has just created', () => {
  it('is described once the broker serves it, after "does not host this topic-partition"', async () => {
    const unknown = protocolError(UNKNOWN_TOPIC_OR_PARTITION);
    const { admin, calls } = scriptedAdmin([unknown, unknown, 2_000_000]);
    assert.deepEqual(await describeLimitsOnceServed(admin, ['events']), [2_000_000]);
    assert.equal(calls(), 3);
  });

  it('any other refusal is thrown at once, as kafkajs gave it', async () => {
    const refused = protocolError(TOPIC_AUTHORIZATION_FAILED);
    const { admin, calls } = scriptedAdmin([refused, 2_000_000]);
    await assert.rejects(describeLimitsOnceServed(admin, ['events']), (error) => {
      assert.equal((error as { reason?: string }).reason, 'kafka_rejected');
      return true;
    });
    assert.equal(calls(), 1);
  });

  describe('against the broker', () => {
    let kafka: Kafka;
    let admin: Admin;
    const created: string[] = [];

    before(async () => {
      kafka = createKafka({ clientId: 'adgate-test', brokers: KAFKA_BROKERS.split(',') }, quietLog);
      admin = kafka.admin();
      await admin.connect();
    });
    after(async () => {
      await admin.deleteTopics({ topics: created }).catch(() => undefined);
      await admin.disconnect();
    });

    it('two instances starting together on fresh topics both get every limit', async () => {
      for (let round = 0; round < 5; round += 1) {
        const ingest = uniqueName('t.ensure');
        const plan = {
          ingest,
          deadLetters: [`${ingest}.dlq`, `${ingest}.dead`],
          partitions: 3,
          replication: 1,
        };
        created.push(ingest, ...plan.deadLetters);
        const [a, b] = await Promise.all([
          ensureTopics(kafka, plan, quietLog),
          ensureTopics(kafka, plan, quietLog),
        ]);
        assert.deepEqual(a, b);
        assert.deepEqual([...a.keys()], [ingest, ...plan.deadLetters]);
      }
    });
  });
});
