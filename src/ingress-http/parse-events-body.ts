/** One element of a request body, before validation. */
export type BodyItem =
  | {
      readonly ok: true;
      readonly value: unknown;
      /** The event's own text, when the body has one per event (NDJSON). */
      readonly text?: string;
    }
  | { readonly ok: false; readonly reason: 'unparsable'; readonly message: string };

export type ParsedBody =
  | { readonly ok: true; readonly items: readonly BodyItem[] }
  | { readonly ok: false; readonly status: 400 | 415; readonly error: string };

/**
 * Splits a POST /v1/events body into events (SPEC §3): JSON (one event, an
 * array, or {"events": [...]}) or NDJSON (one event per line; a line that
 * is not JSON is rejected alone, with its index, and the rest go on).
 */
export function parseEventsBody(contentType: string | undefined, text: string): ParsedBody {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType === 'application/json') {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      return { ok: false, status: 400, error: `body is not JSON: ${(error as Error).message}` };
    }
    const list = Array.isArray(json) ? json : isEnvelope(json) ? json.events : [json];
    return { ok: true, items: list.map((value) => ({ ok: true, value })) };
  }
  if (mediaType === 'application/x-ndjson') {
    const items: BodyItem[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        // CRLF line ends: the \r is not part of the event.
        const eventText = line.endsWith('\r') ? line.slice(0, -1) : line;
        items.push({ ok: true, value: JSON.parse(eventText), text: eventText });
      } catch (error) {
        items.push({ ok: false, reason: 'unparsable', message: (error as Error).message });
      }
    }
    return { ok: true, items };
  }
  return {
    ok: false,
    status: 415,
    error: 'Content-Type must be application/json or application/x-ndjson',
  };
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
