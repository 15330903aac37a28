import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { AdgateError, DependencyUnavailableError } from '../../src/errors/adgate-error.js';
import { classifyKafkaError } from '../../src/kafka/classify-kafka-error.js';
// The errors kafkajs itself builds: the broker's error codes go through its
// own createErrorFromCode, the rest are its exported classes.
const { KafkaJSConnectionError, KafkaJSError, KafkaJSGroupCoordinatorNotFound, KafkaJSLockTimeout, KafkaJSMetadataNotLoaded, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSRequestTimeoutError, KafkaJSSASLAuthenticationError, KafkaJSServerDoesNotSupportApiKey, KafkaJSConnectionClosedError, KafkaJSNoBrokerAvailableError, } = kafkajs;
const { createErrorFromCode } = createRequire(import.meta.url)('kafkajs/src/protocol/error.js');
const protocol = (code) => createErrorFromCode(code);
// How kafkajs's retrier ends: a retriable failure after its last retry, and
// a non-retriable one at once (src/retry/index.js).
const retriesSpent = (e) => new KafkaJSNumberOfRetriesExceeded(e, { retryCount: 8, retryTime: 5_000 });
const nonRetriable = (e) => new KafkaJSNonRetriableError(e, {
    cause: e,
});
const make = (Class, ...args) => new Class(...args);
const ROWS = [
    // Too large: the same bytes are refused for ever.
    { what: 'MESSAGE_TOO_LARGE (10)', error: protocol(10), reason: 'too_large', retriable: false },
    {
        what: 'RECORD_LIST_TOO_LARGE (18)',
        error: protocol(18),
        reason: 'too_large',
        retriable: false,
    },
    {
        what: 'MESSAGE_TOO_LARGE inside KafkaJSNonRetriableError',
        error: nonRetriable(protocol(10)),
        reason: 'too_large',
        retriable: false,
    },
    // Refused for good: an operator's fix.
    {
        what: 'UNKNOWN_TOPIC_OR_PARTITION (3) after kafkajs retried it',
        error: retriesSpent(protocol(3)),
        reason: 'kafka_rejected',
        retriable: false,
    },
    {
        what: 'TOPIC_AUTHORIZATION_FAILED (29)',
        error: protocol(29),
        reason: 'kafka_rejected',
        retriable: false,
    },
    {
        what: 'GROUP_AUTHORIZATION_FAILED (30)',
        error: protocol(30),
        reason: 'kafka_rejected',
        retriable: false,
    },
    {
        what: 'CLUSTER_AUTHORIZATION_FAILED (31)',
        error: protocol(31),
        reason: 'kafka_rejected',
        retriable: false,
    },
    { what: 'INVALID_CONFIG (40)', error: protocol(40), reason: 'kafka_rejected', retriable: false },
    {
        what: 'POLICY_VIOLATION (44)',
        error: protocol(44),
        reason: 'kafka_rejected',
        retriable: false,
    },
    { what: 'INVALID_RECORD (87)', error: protocol(87), reason: 'kafka_rejected', retriable: false },
    {
        what: 'SASL_AUTHENTICATION_FAILED (58)',
        error: protocol(58),
        reason: 'kafka_rejected',
        retriable: false,
    },
    {
        what: 'OUT_OF_ORDER_SEQUENCE_NUMBER (45): kafkajs says non-retriable',
        error: protocol(45),
        reason: 'kafka_rejected',
        retriable: false,
    },
    {
        what: 'KafkaJSSASLAuthenticationError',
        error: make(KafkaJSSASLAuthenticationError, 'SASL PLAIN authentication failed'),
        reason: 'kafka_rejected',
        retriable: false,
    },
    {
        what: 'KafkaJSServerDoesNotSupportApiKey',
        error: make(KafkaJSServerDoesNotSupportApiKey, 'no', { apiKey: 0, apiName: 'Produce' }),
        reason: 'kafka_rejected',
        retriable: false,
    },
    // Not now: the caller keeps the data and tries again.
    {
        what: 'NOT_LEADER_FOR_PARTITION (6)',
        error: protocol(6),
        reason: 'kafka_unavailable',
        retriable: true,
    },
    {
        what: 'LEADER_NOT_AVAILABLE (5)',
        error: protocol(5),
        reason: 'kafka_unavailable',
        retriable: true,
    },
    {
        what: 'REQUEST_TIMED_OUT (7)',
        error: protocol(7),
        reason: 'kafka_unavailable',
        retriable: true,
    },
    {
        what: 'NETWORK_EXCEPTION (13)',
        error: protocol(13),
        reason: 'kafka_unavailable',
        retriable: true,
    },
    {
        what: 'NOT_ENOUGH_REPLICAS (19)',
        error: protocol(19),
        reason: 'kafka_unavailable',
        retriable: true,
    },
    {
        what: 'KafkaJSConnectionError',
        error: make(KafkaJSConnectionError, 'Connection error: ECONNREFUSED', {
            broker: '127.0.0.1:9092',
        }),
        reason: 'kafka_unavailable',
        retriable: true,
    },
    {
        what: 'KafkaJSConnectionClosedError',
        error: make(KafkaJSConnectionClosedError, 'Closed connection', {
            host: '127.0.0.1',
            port: 9092,
        }),
        reason: 'kafka_unavailable',
        retriable: true,
    },
    {
        what: 'KafkaJSConnectionError after kafkajs spent its retries',
        error: retriesSpent(make(KafkaJSConnectionError, 'Connection error: ECONNREFUSED')),
        reason: 'kafka_unavailable',
        retriable: true,
    },
    {
        what: 'KafkaJSRequestTimeoutError',
        error: make(KafkaJSRequestTimeoutError, 'Request Produce(key: 0, version: 7) timed out'),
        reason: 'kafka_unavailable',
        retriable: true,
    },
    {
        what: 'KafkaJSLockTimeout (kafkajs: non-retriable)',
        error: make(KafkaJSLockTimeout, 'Timeout while acquiring lock'),
        reason: 'kafka_unavailable',
        retriable: true,
    },
    {
        what: 'KafkaJSGroupCoordinatorNotFound (kafkajs: non-retriable)',
        error: make(KafkaJSGroupCoordinatorNotFound, 'Failed to find group coordinator'),
        reason: 'kafka_unavailable',
        retriable: true,
    },
    {
        what: 'KafkaJSMetadataNotLoaded',
        error: make(KafkaJSMetadataNotLoaded, 'Producing to topic without metadata'),
        reason: 'kafka_unavailable',
        retriable: true,
    },
    {
        what: 'KafkaJSNoBrokerAvailableError',
        error: make(KafkaJSNoBrokerAvailableError),
        reason: 'kafka_unavailable',
        retriable: true,
    },
    {
        what: 'a plain KafkaJSError (retriable by default)',
        error: make(KafkaJSError, 'something transient'),
        reason: 'kafka_unavailable',
        retriable: true,
    },
    {
        what: 'not from kafkajs at all',
        error: new Error('socket hang up'),
        reason: 'kafka_unavailable',
        retriable: true,
    },
];
describe('classifyKafkaError: each kafkajs failure by its own facts', () => {
    for (const row of ROWS) {
        it(`${row.what} -> ${row.reason}, ${row.retriable ? 'retriable' : 'not retriable'}`, () => {
            const classified = classifyKafkaError(row.error);
            assert.ok(classified instanceof AdgateError);
            assert.equal(classified.reason, row.reason);
            assert.equal(classified.retriable, row.retriable);
            assert.equal(classified.cause, row.error, 'keeps the kafkajs error as its cause');
            assert.match(classified.message, /^Kafka: /);
            if (row.retriable)
                assert.ok(classified instanceof DependencyUnavailableError);
        });
    }
    it('passes an AdgateError through unchanged', () => {
        const own = new DependencyUnavailableError('kafka_unavailable', 'the producer is closing');
        assert.equal(classifyKafkaError(own), own);
    });
});
//# sourceMappingURL=classify-kafka-error.test.js.map