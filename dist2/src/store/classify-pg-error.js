import pg from 'pg';
import { AdgateError, DependencyRejectedError, DependencyUnavailableError, errorMessage, WriteRejectedError, } from '../errors/adgate-error.js';
// PostgreSQL Appendix A. Exact codes are looked up first, then the class
// (the first two characters); a code in neither is `rejected`, so that an
// error nobody foresaw stops the sink visibly instead of being retried
// for ever.
const BY_CODE = {
    '55P03': 'unavailable', // lock_not_available (lock_timeout, NOWAIT)
    '55006': 'unavailable', // object_in_use
    '57P04': 'rejected', // database_dropped
    '58000': 'unavailable', // system_error
    '58030': 'unavailable', // io_error
};
const BY_CLASS = {
    '08': 'unavailable', // connection exception
    '25': 'unavailable', // invalid transaction state: 25006 read-only (a failover), 25P02, 25P03
    '40': 'unavailable', // transaction rollback: 40001 serialization failure, 40P01 deadlock
    '53': 'unavailable', // insufficient resources: disk full, out of memory, too many connections
    '57': 'unavailable', // operator intervention: 57014 statement timeout, 57P01..57P03 shutdown
    '72': 'unavailable', // snapshot too old
    '21': 'rows', // cardinality violation: two rows of the batch hit one target row
    '22': 'rows', // data exception: a value out of range, a bad encoding
    '23': 'rows', // integrity constraint violation
    '27': 'rows', // triggered data change violation
    '44': 'rows', // WITH CHECK OPTION violation
    '54': 'rows', // program limit exceeded: 54000 index row too big
    '0A': 'rejected', // feature not supported
    '28': 'rejected', // invalid authorization: 28P01 wrong password
    '3D': 'rejected', // invalid catalog name: the database does not exist
    '3F': 'rejected', // invalid schema name
    '42': 'rejected', // syntax error or access rule violation: 42P01, 42501
    '55': 'rejected', // object not in prerequisite state (55P03 and 55006 above)
    '58': 'rejected', // system error: a missing or duplicate file (58000, 58030 above)
    XX: 'rejected', // internal error: data or index corruption
};
/** The kind of a SQLSTATE code (see PgErrorKind). */
export function pgErrorKind(sqlstate) {
    return BY_CODE[sqlstate] ?? BY_CLASS[sqlstate.slice(0, 2)] ?? 'rejected';
}
/**
 * The one place that decides what a pg error means for the pipeline. Only
 * an error the server sent (pg's DatabaseError) carries a SQLSTATE; any
 * other error from pg is the connection's (refused, reset, timed out) and
 * is retried: Node's own codes (EPIPE) are not SQLSTATEs.
 */
export function classifyPgError(error) {
    if (error instanceof AdgateError)
        return error;
    const code = error instanceof pg.DatabaseError ? error.code : undefined;
    if (code === undefined) {
        return new DependencyUnavailableError('postgres_unavailable', `PostgreSQL: ${errorMessage(error)}`, error);
    }
    const text = `${code} ${errorMessage(error)}`;
    switch (pgErrorKind(code)) {
        case 'unavailable':
            return new DependencyUnavailableError('postgres_unavailable', `PostgreSQL: ${text}`, error);
        case 'rows':
            return new WriteRejectedError(`PostgreSQL refused the rows: ${text}`, error);
        case 'rejected':
            return new DependencyRejectedError('postgres_rejected', `PostgreSQL rejected the operation: ${text}`, error);
    }
}
//# sourceMappingURL=classify-pg-error.js.map