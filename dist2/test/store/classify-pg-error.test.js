import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { AdgateError, DependencyRejectedError, DependencyUnavailableError, WriteRejectedError, } from '../../src/errors/adgate-error.js';
import { classifyPgError } from '../../src/store/classify-pg-error.js';
/** An error as pg hands it over when the server sent an ErrorResponse. */
function serverError(code, message = 'from the server') {
    const error = new pg.DatabaseError(message, 0, 'error');
    error.code = code;
    error.severity = 'ERROR';
    return error;
}
/** An error of Node's socket layer, as pg passes it on. */
function socketError(code, message) {
    return Object.assign(new Error(message), { code, errno: -1, syscall: 'connect' });
}
// [SQLSTATE, what it is]: each row of the table in classify-pg-error.ts.
const RETRIABLE = [
    ['40001', 'serialization_failure'],
    ['40P01', 'deadlock_detected'],
    ['40003', 'statement_completion_unknown'],
    ['08000', 'connection_exception'],
    ['08003', 'connection_does_not_exist'],
    ['08006', 'connection_failure'],
    ['08001', 'sqlclient_unable_to_establish_sqlconnection'],
    ['57P01', 'admin_shutdown'],
    ['57P02', 'crash_shutdown'],
    ['57P03', 'cannot_connect_now (starting up)'],
    ['57014', 'query_canceled (statement_timeout)'],
    ['53000', 'insufficient_resources'],
    ['53100', 'disk_full'],
    ['53200', 'out_of_memory'],
    ['53300', 'too_many_connections'],
    ['55P03', 'lock_not_available'],
    ['55006', 'object_in_use'],
    ['25006', 'read_only_sql_transaction (a failover)'],
    ['25P02', 'in_failed_sql_transaction'],
    ['25P03', 'idle_in_transaction_session_timeout'],
    ['58000', 'system_error'],
    ['58030', 'io_error'],
    ['72000', 'snapshot_too_old'],
];
const ROWS_FAULT = [
    ['22001', 'string_data_right_truncation'],
    ['22003', 'numeric_value_out_of_range'],
    ['22008', 'datetime_field_overflow'],
    ['22009', 'invalid_time_zone_displacement_value'],
    ['22021', 'character_not_in_repertoire'],
    ['22P02', 'invalid_text_representation'],
    ['23505', 'unique_violation'],
    ['23514', 'check_violation'],
    ['23502', 'not_null_violation'],
    ['21000', 'cardinality_violation'],
    ['27000', 'triggered_data_change_violation'],
    ['44000', 'with_check_option_violation'],
    ['54000', 'program_limit_exceeded (index row too big)'],
    ['54001', 'statement_too_complex'],
];
const REJECTED = [
    ['42P01', 'undefined_table'],
    ['42703', 'undefined_column'],
    ['42501', 'insufficient_privilege'],
    ['42601', 'syntax_error'],
    ['42883', 'undefined_function'],
    ['28000', 'invalid_authorization_specification'],
    ['28P01', 'invalid_password'],
    ['3D000', 'invalid_catalog_name (no such database)'],
    ['3F000', 'invalid_schema_name'],
    ['0A000', 'feature_not_supported'],
    ['55000', 'object_not_in_prerequisite_state'],
    ['57P04', 'database_dropped'],
    ['58P01', 'undefined_file'],
    ['XX000', 'internal_error'],
    ['XX001', 'data_corrupted'],
    ['P0001', 'raise_exception (no row of the table: unknown is permanent)'],
    ['ZZ999', 'a code nobody foresaw'],
];
describe('classifyPgError (SQLSTATE table)', () => {
    for (const [code, what] of RETRIABLE) {
        it(`${code} ${what}: retriable, postgres_unavailable`, () => {
            const error = classifyPgError(serverError(code));
            assert.ok(error instanceof DependencyUnavailableError, error.name);
            assert.equal(error.reason, 'postgres_unavailable');
            assert.equal(error.retriable, true);
            assert.match(error.message, new RegExp(code));
        });
    }
    for (const [code, what] of ROWS_FAULT) {
        it(`${code} ${what}: the rows' fault, write_failed`, () => {
            const error = classifyPgError(serverError(code));
            assert.ok(error instanceof WriteRejectedError, error.name);
            assert.equal(error.reason, 'write_failed');
            assert.equal(error.retriable, false);
            assert.match(error.message, new RegExp(code));
        });
    }
    for (const [code, what] of REJECTED) {
        it(`${code} ${what}: permanent and not the rows' fault, postgres_rejected`, () => {
            const error = classifyPgError(serverError(code));
            assert.ok(error instanceof DependencyRejectedError, error.name);
            assert.ok(!(error instanceof WriteRejectedError), 'the sink must not dead-letter rows for it');
            assert.equal(error.reason, 'postgres_rejected');
            assert.equal(error.retriable, false);
            assert.match(error.message, new RegExp(code));
        });
    }
    const withoutSqlstate = [
        ['connection refused', socketError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
        ['connection reset', socketError('ECONNRESET', 'read ECONNRESET')],
        // Five characters like a SQLSTATE, but Node's, not the server's.
        ['broken pipe', socketError('EPIPE', 'write EPIPE')],
        ['a connect timeout', new Error('timeout exceeded when trying to connect')],
        ['a connection ended under a query', new Error('Connection terminated unexpectedly')],
    ];
    for (const [what, raw] of withoutSqlstate) {
        it(`no SQLSTATE (${what}): retriable, postgres_unavailable`, () => {
            const error = classifyPgError(raw);
            assert.ok(error instanceof DependencyUnavailableError, error.name);
            assert.equal(error.retriable, true);
            assert.equal(error.cause, raw);
        });
    }
    it('keeps an error that is already classified', () => {
        const classified = new WriteRejectedError('already');
        assert.equal(classifyPgError(classified), classified);
        assert.ok(classifyPgError(serverError('42P01')) instanceof AdgateError);
    });
});
//# sourceMappingURL=classify-pg-error.test.js.map