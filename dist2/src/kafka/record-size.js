/**
 * What a record batch of the v2 format costs besides its records (the
 * header of KIP-98: base offset, length, epoch, magic, CRC, attributes,
 * offsets, timestamps, producer id/epoch, base sequence, record count).
 * The broker compares the whole batch with the topic's max.message.bytes.
 */
export const BATCH_OVERHEAD_BYTES = 61;
// Per record: its length, attributes, timestamp and offset deltas, and the
// key, value and header-count lengths, each a varint of at most 5 (the
// timestamp delta 10) bytes; per header, its name and value lengths.
const RECORD_FRAMING_BYTES = 5 + 1 + 10 + 5 + 5 + 5 + 5;
const HEADER_FRAMING_BYTES = 5 + 5;
function byteLength(data) {
    if (data === null || data === undefined)
        return 0;
    return typeof data === 'string' ? Buffer.byteLength(data) : data.length;
}
/** An upper bound of the bytes `message` takes in an uncompressed record batch. */
export function recordBytes(message) {
    let bytes = RECORD_FRAMING_BYTES + byteLength(message.key) + byteLength(message.value);
    for (const [name, value] of Object.entries(message.headers ?? {})) {
        bytes += HEADER_FRAMING_BYTES + Buffer.byteLength(name) + byteLength(value);
    }
    return bytes;
}
//# sourceMappingURL=record-size.js.map