// COPY text format: backslash, tab, newline and carriage return must be
// escaped in every value; identifiers are restricted to a safe alphabet by
// SPEC §1, but attribute values and sources are free text.
const ESCAPES = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const NEEDS_ESCAPE = /[\\\t\n\r]/g;
const escapeText = (text) => text.replace(NEEDS_ESCAPE, (c) => ESCAPES[c] ?? c);
const NULL = '\\N';
/**
 * The columns encodeCopyRows writes, in its order: the COPY names them, so
 * that they never depend on the staging table's column order.
 */
export const COPY_COLUMNS = [
    'idempotency_key',
    'type',
    'impression_id',
    'occurred_at',
    'campaign_id',
    'ad_id',
    'publisher_id',
    'conversion_id',
    'cost_micros',
    'revenue_micros',
    'currency',
    'attributes',
    'source',
    'received_at',
    'kafka_partition',
    'kafka_offset',
];
/** Encodes rows as COPY text, one value per column of COPY_COLUMNS. */
export function encodeCopyRows(rows) {
    let out = '';
    // Neighbouring rows mostly share their Kafka timestamp (one produce
    // request): format it once, not per row.
    let lastMs = Number.NaN;
    let receivedAt = '';
    for (const { key, event, source, receivedAtMs, partition, offset } of rows) {
        if (receivedAtMs !== lastMs) {
            lastMs = receivedAtMs;
            receivedAt = new Date(receivedAtMs).toISOString();
        }
        out +=
            `\\\\x${key.toString('hex')}\t${event.type}\t${event.impression_id}\t${event.occurred_at}\t` +
                `${event.campaign_id}\t${event.ad_id}\t${event.publisher_id}\t` +
                `${event.conversion_id ?? NULL}\t${event.cost_micros}\t${event.revenue_micros}\t` +
                `${event.currency}\t${event.attributes === undefined ? NULL : escapeText(JSON.stringify(event.attributes))}\t` +
                `${escapeText(source)}\t${receivedAt}\t${partition}\t${offset}\n`;
    }
    return out;
}
//# sourceMappingURL=encode-copy-rows.js.map