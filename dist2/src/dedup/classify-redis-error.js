import { ReplyError } from 'ioredis';
import { AdgateError, DependencyRejectedError, DependencyUnavailableError, errorMessage, } from '../errors/adgate-error.js';
// A Redis error reply starts with its code, an upper-case word (the Redis
// protocol's "error prefix"). These say the server is busy, loading,
// failing over or short of memory: the same command succeeds later.
const PASSING_REPLIES = new Set([
    'LOADING', // loading the dataset after a restart
    'BUSY', // a script is running past its time limit
    'READONLY', // a replica after a failover
    'MASTERDOWN',
    'TRYAGAIN',
    'CLUSTERDOWN',
    'NOREPLICAS',
    'OOM', // maxmemory reached until keys expire
    'MISCONF', // writes refused until a snapshot succeeds again
]);
// ioredis types ReplyError as `any`; this is what it is (redis-errors).
const RedisReplyError = ReplyError;
/** The error prefix of a Redis reply, e.g. `NOAUTH` or `ERR`. */
function replyCode(error) {
    return /^[A-Z]+/.exec(error.message)?.[0] ?? '';
}
/**
 * The one place that decides what an ioredis error means. Errors that are
 * not a reply (connection refused or reset, a command timed out, the
 * offline queue disabled) and passing replies are `redis_unavailable`.
 * Other replies (NOAUTH, WRONGPASS, NOPERM, WRONGTYPE, ERR: a wrong
 * password, a missing ACL permission, a key of another type under our
 * prefix, a script or command the server refuses) fail the same way every
 * time: `redis_rejected`, which an operator must fix. Either way the dedup
 * store fails closed: PostgreSQL arbitrates while Redis cannot answer.
 */
export function classifyRedisError(error) {
    if (error instanceof AdgateError)
        return error;
    if (error instanceof RedisReplyError && !PASSING_REPLIES.has(replyCode(error))) {
        return new DependencyRejectedError('redis_rejected', `Redis refused the command: ${errorMessage(error)}`, error);
    }
    return new DependencyUnavailableError('redis_unavailable', `Redis: ${errorMessage(error)}`, error);
}
//# sourceMappingURL=classify-redis-error.js.map