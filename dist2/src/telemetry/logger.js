const RANK = { debug: 10, info: 20, warn: 30, error: 40 };
/**
 * One JSON object per line on stdout: what container runtimes and log
 * shippers expect. Errors are flattened to their reason and message so
 * that the same `reason` token shows in the log, the metric and the DLQ.
 */
export function createLogger(level, base = {}, write = (line) => process.stdout.write(line)) {
    const min = RANK[level];
    const emit = (lvl, msg, fields) => {
        if (RANK[lvl] < min)
            return;
        const record = { time: new Date().toISOString(), level: lvl, msg, ...base };
        for (const [key, value] of Object.entries(fields ?? {})) {
            record[key] = value instanceof Error ? describeError(value) : value;
        }
        write(`${JSON.stringify(record)}\n`);
    };
    return {
        debug: (msg, fields) => emit('debug', msg, fields),
        info: (msg, fields) => emit('info', msg, fields),
        warn: (msg, fields) => emit('warn', msg, fields),
        error: (msg, fields) => emit('error', msg, fields),
        child: (fields) => createLogger(level, { ...base, ...fields }, write),
    };
}
function describeError(error) {
    const out = { name: error.name, message: error.message };
    const reason = error.reason;
    if (typeof reason === 'string')
        out.reason = reason;
    if (error.cause instanceof Error)
        out.cause = describeError(error.cause);
    return out;
}
//# sourceMappingURL=logger.js.map