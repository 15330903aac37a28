import { isUtf8 } from 'node:buffer';
const LF = 0x0a;
const CR = 0x0d;
/**
 * Splits a POST /v1/events body into events (SPEC §3): JSON (one event, an
 * array, or {"events": [...]}) or NDJSON (one event per line). It judges
 * no event: each item is the bytes the gateway would forward, and
 * decodeEvent gives their verdict, the same one the sink would give.
 */
export function parseEventsBody(contentType, body) {
    const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (mediaType === 'application/json')
        return splitJson(body);
    if (mediaType === 'application/x-ndjson')
        return { ok: true, items: splitLines(body) };
    return {
        ok: false,
        status: 415,
        error: 'Content-Type must be application/json or application/x-ndjson',
    };
}
/**
 * A JSON body is one document: bytes that are not UTF-8 make it not JSON
 * at all (400). Each event is forwarded as JSON.stringify gives it.
 */
function splitJson(body) {
    if (!isUtf8(body))
        return { ok: false, status: 400, error: 'body is not JSON: not valid UTF-8' };
    let json;
    try {
        json = JSON.parse(body.toString('utf8'));
    }
    catch (error) {
        return { ok: false, status: 400, error: `body is not JSON: ${error.message}` };
    }
    const list = Array.isArray(json) ? json : isEnvelope(json) ? json.events : [json];
    return { ok: true, items: list.map((value) => Buffer.from(JSON.stringify(value))) };
}
/**
 * NDJSON lines, split on the byte 0x0A (never part of a multi-byte UTF-8
 * character), so that one line that is not UTF-8 is refused alone and the
 * others go on. A line is forwarded as it came, without its CRLF's \r;
 * blank lines are no event and take no index.
 */
function splitLines(body) {
    const lines = [];
    let start = 0;
    while (start < body.length) {
        const newline = body.indexOf(LF, start);
        const end = newline === -1 ? body.length : newline;
        const line = body.subarray(start, end > start && body[end - 1] === CR ? end - 1 : end);
        if (!isBlank(line))
            lines.push(line);
        start = end + 1;
    }
    return lines;
}
/** Only JSON whitespace (RFC 8259: space, tab, line feed, carriage return). */
function isBlank(line) {
    for (const byte of line) {
        if (byte !== 0x20 && byte !== 0x09 && byte !== CR && byte !== LF)
            return false;
    }
    return true;
}
function isEnvelope(json) {
    return (typeof json === 'object' &&
        json !== null &&
        !Array.isArray(json) &&
        Object.keys(json).length === 1 &&
        Array.isArray(json.events));
}
//# sourceMappingURL=parse-events-body.js.map