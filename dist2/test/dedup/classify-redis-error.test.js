import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReplyError } from 'ioredis';
import { classifyRedisError } from '../../src/dedup/classify-redis-error.js';
import { DependencyRejectedError, DependencyUnavailableError, } from '../../src/errors/adgate-error.js';
// Replies as Redis sends them: the error prefix, then the text.
const PASSING = [
    'LOADING Redis is loading the dataset in memory',
    'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.',
    "READONLY You can't write against a read only replica.",
    'MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to no.',
    'TRYAGAIN Multiple keys request during rehashing of slot',
    'CLUSTERDOWN The cluster is down',
    'NOREPLICAS Not enough good replicas to write.',
    "OOM command not allowed when used memory > 'maxmemory'.",
    'MISCONF Redis is configured to save RDB snapshots, but it is currently not able to persist on disk.',
];
const REFUSED = [
    'NOAUTH Authentication required.',
    'WRONGPASS invalid username-password pair or user is disabled.',
    "NOPERM User adgate has no permissions to run the 'evalsha' command",
    'WRONGTYPE Operation against a key holding the wrong kind of value',
    "ERR unknown command 'EVALSHA', with args beginning with: ",
    'ERR user_script:3: Script attempted to access nonexistent global variable',
];
describe('classifyRedisError', () => {
    for (const text of PASSING) {
        it(`${text.split(' ')[0]}: retriable, redis_unavailable`, () => {
            const error = classifyRedisError(new ReplyError(text));
            assert.ok(error instanceof DependencyUnavailableError, error.name);
            assert.equal(error.reason, 'redis_unavailable');
            assert.equal(error.retriable, true);
        });
    }
    for (const text of REFUSED) {
        it(`${text.split(' ')[0]} (${text.slice(0, 40)}…): permanent, redis_rejected`, () => {
            const error = classifyRedisError(new ReplyError(text));
            assert.ok(error instanceof DependencyRejectedError, error.name);
            assert.equal(error.reason, 'redis_rejected');
            assert.equal(error.retriable, false);
            assert.match(error.message, new RegExp(text.split(' ')[0]));
        });
    }
    const notReplies = [
        [
            'connection refused',
            Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
        ],
        ['a command timeout', new Error('Command timed out')],
        ['the connection closed', new Error('Connection is closed.')],
        [
            'no offline queue',
            new Error("Stream isn't writeable and enableOfflineQueue options is false"),
        ],
    ];
    for (const [what, raw] of notReplies) {
        it(`not a reply (${what}): retriable, redis_unavailable`, () => {
            const error = classifyRedisError(raw);
            assert.ok(error instanceof DependencyUnavailableError, error.name);
            assert.equal(error.cause, raw);
        });
    }
});
//# sourceMappingURL=classify-redis-error.test.js.map