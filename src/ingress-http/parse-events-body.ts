import { isUtf8 } from 'node:buffer';

export type ParsedBody =
  | {
      readonly ok: true;
      /** Each event's bytes, as the gateway would forward them, in request order. */
      readonly items: readonly Buffer[];
      /**
       * A JSON body's events as parsed, item by item: the very values their
       * bytes serialise, so that decodeEvent need not parse them again.
       */
      readonly values?: readonly unknown[];
    }
  | { readonly ok: false; readonly status: 400 | 415; readonly error: string };

const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits a POST /v1/events body into events (SPEC §3): JSON (one event, an
 * array, or {"events": [...]}) or NDJSON (one event per line). It judges
 * no event: each item is the bytes the gateway would forward, and
 * decodeEvent gives their verdict, the same one the sink would give.
 */
export function parseEventsBody(contentType: string | undefined, body: Buffer): ParsedBody {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType === 'application/json') return splitJson(body);
  if (mediaType === 'application/x-ndjson') return { ok: true, items: splitLines(body) };
  return {
    ok: false,
    status: 415,
    error: 'Content-Type must be application/json or application/x-ndjson',
  };
}

/**
 * A JSON body is one document: bytes that are not UTF-8 make it not JSON
 * at all (400). Each event is forwarded as JSON.stringify gives it, and
 * its parsed value comes along for its verdict.
 */
function splitJson(body: Buffer): ParsedBody {
  if (!isUtf8(body)) return { ok: false, status: 400, error: 'body is not JSON: not valid UTF-8' };
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return { ok: false, status: 400, error: `body is not JSON: ${(error as Error).message}` };
  }
  const list: unknown[] = Array.isArray(json) ? json : isEnvelope(json) ? json.events : [json];
  return { ok: true, items: list.map((value) => Buffer.from(JSON.stringify(value))), values: list };
}

/**
 * NDJSON lines, split on the byte 0x0A (never part of a multi-byte UTF-8
 * character), so that one line that is not UTF-8 is refused alone and the
 * others go on. A line is forwarded as it came, without its CRLF's \r;
 * blank lines are no event and take no index.
 */
function splitLines(body: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  while (start < body.length) {
    const newline = body.indexOf(LF, start);
    const end = newline === -1 ? body.length : newline;
    const line = body.subarray(start, end > start && body[end - 1] === CR ? end - 1 : end);
    if (!isBlank(line)) lines.push(line);
    start = end + 1;
  }
  return lines;
}

/** Only JSON whitespace (RFC 8259: space, tab, line feed, carriage return). */
function isBlank(line: Buffer): boolean {
  for (const byte of line) {
    if (byte !== 0x20 && byte !== 0x09 && byte !== CR && byte !== LF) return false;
  }
  return true;
}

function isEnvelope(json: unknown): json is { events: unknown[] } {
  return (
    typeof json === 'object' &&
    json !== null &&
    !Array.isArray(json) &&
    Object.keys(json).length === 1 &&
    Array.isArray((json as { events?: unknown }).events)
  );
}
