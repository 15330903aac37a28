import pg from 'pg';
// int8 and numeric as strings: money sums past 2^53 must not lose a micro.
export function createPool(connectionString, max, log) {
    const pool = new pg.Pool({
        connectionString,
        max,
        application_name: 'adgate',
        connectionTimeoutMillis: 5_000,
        idleTimeoutMillis: 30_000,
    });
    // An idle client losing its connection (PostgreSQL restarting) emits
    // here; without a listener Node would crash the process.
    pool.on('error', (error) => log.warn('idle PostgreSQL connection lost', { error }));
    // A client checked out with pool.connect() (the sink's write, pruning)
    // has no pool listener: pg emits 'error' on it when its connection drops
    // mid-transaction, and without this listener that crashes the process.
    // The query in flight is rejected with the same error and retried by
    // its caller, and release() discards the dead client.
    pool.on('connect', (client) => {
        client.on('error', (error) => log.debug('PostgreSQL connection lost', { error }));
    });
    return pool;
}
//# sourceMappingURL=create-pool.js.map