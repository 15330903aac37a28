import { ATTEMPTS_HEADER, ERROR_HEADER } from '../kafka/headers.js';
import type { InboundMessage, OutboundMessage } from '../kafka/types.js';

/** The message's own headers, as they are, for a record that carries them on. */
export function copyHeaders(message: InboundMessage): Record<string, string | Buffer> {
  const headers: Record<string, string | Buffer> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}

/**
 * A letter sent back to the ingest topic (SPEC §4): its original key,
 * value and headers, `adgate-attempts` raised by one (the attempt it is
 * now). No timestamp: the broker stamps the new message with now, and the
 * sink measures the acceptance window against that (README: "Operating the
 * dead-letter queue", why).
 */
export function retryRecord(
  message: InboundMessage,
  attempts: number,
  extra: Record<string, string> = {},
): OutboundMessage {
  return {
    key: message.key,
    value: message.value,
    headers: { ...copyHeaders(message), [ATTEMPTS_HEADER]: String(attempts + 1), ...extra },
  };
}

/** A letter moved to the dead topic: the same record, with why in adgate-error. */
export function deadRecord(message: InboundMessage, why: string | undefined): OutboundMessage {
  const headers = copyHeaders(message);
  if (why !== undefined) {
    const before = headers[ERROR_HEADER]?.toString() ?? '';
    headers[ERROR_HEADER] = `${before}${before === '' ? '' : '; '}${why}`.slice(0, 1_000);
  }
  return { key: message.key, value: message.value, headers, timestampMs: message.timestampMs };
}
