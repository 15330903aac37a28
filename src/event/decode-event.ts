import { isUtf8 } from 'node:buffer';
import type { RejectionReason } from '../errors/adgate-error.js';
import type { Issue } from './event-schema.js';
import { type AcceptanceWindow, type Validation, validateEvent } from './validate-event.js';

export interface EventRules {
  readonly window: AcceptanceWindow;
  /** ADGATE_MAX_EVENT_BYTES: the largest event as the gateway forwards it (SPEC §1). */
  readonly maxEventBytes: number;
}

export type EventVerdict =
  | Extract<Validation, { ok: true }>
  | { readonly ok: false; readonly reason: RejectionReason; readonly issues: readonly Issue[] };

/**
 * The value that `bytes` are the JSON.stringify of, when the caller has it
 * (a JSON body's event, parsed with the body): JSON.stringify writes valid
 * UTF-8 (lone surrogates escaped) and JSON.parse of its text gives the
 * value back, so the size check on the bytes and the validation of the
 * value give the verdict a parse of the bytes would.
 */
export interface ParsedValue {
  readonly value: unknown;
}

/**
 * The one rule that decides whether the bytes of one event are counted
 * (SPEC §1): the HTTP ingress runs it on the bytes it would forward, the
 * sink on the bytes it read, so that a 202 is only ever given for an event
 * the sink will count, and whatever the sink would dead-letter is rejected
 * at HTTP by its index, with the same reason. The steps go from the
 * cheapest to the dearest: size, UTF-8, JSON, then SPEC §1.
 */
export function decodeEvent(
  bytes: Buffer | null,
  referenceMs: number,
  rules: EventRules,
  parsed?: ParsedValue,
): EventVerdict {
  // A tombstone or an empty value holds no event (SPEC §4).
  if (bytes === null || bytes.length === 0) return refuse('unparsable', 'empty message value');
  // Before any decoding, so that an oversized value costs no parse.
  if (bytes.length > rules.maxEventBytes) {
    return refuse('too_large', `${bytes.length} bytes; at most ${rules.maxEventBytes} an event`);
  }
  const storable = hasNoEscape(bytes);
  if (parsed !== undefined) {
    return validateEvent(parsed.value, referenceMs, rules.window, storable);
  }
  // Decoding alone would put U+FFFD in place of bad bytes, and the event
  // would be stored rewritten (SPEC §1: not UTF-8 is unparsable).
  if (!isUtf8(bytes)) return refuse('unparsable', 'not valid UTF-8');
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return refuse('unparsable', `not JSON: ${error instanceof Error ? error.message : error}`);
  }
  return validateEvent(json, referenceMs, rules.window, storable);
}

const BACKSLASH = 0x5c;

/**
 * True when the JSON text holds no backslash, hence no escape: then none of
 * its strings can hold U+0000 or a lone surrogate, the text PostgreSQL
 * cannot store. JSON refuses a raw control character in a string, and
 * valid UTF-8 encodes no surrogate, so only `\u` escapes can bring them,
 * and JSON.stringify writes them as such (a JSON body's events). One
 * memchr, against two checks of every string of the event.
 */
function hasNoEscape(bytes: Buffer): boolean {
  return bytes.indexOf(BACKSLASH) === -1;
}

function refuse(reason: RejectionReason, message: string): EventVerdict {
  return { ok: false, reason, issues: [{ path: '(event)', message }] };
}
