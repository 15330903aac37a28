import { hash } from 'node:crypto';
import type { AdEvent, EventType } from './event-schema.js';

/**
 * The fields that make an event's identity, per type (SPEC §2). A business
 * change (say, one billable click per impression) is a one-line change here
 * plus a test vector in test/event/idempotency-key.test.ts.
 */
export const KEY_RULES: Readonly<Record<EventType, readonly (keyof AdEvent)[]>> = {
  impression: ['type', 'impression_id'],
  click: ['type', 'impression_id', 'occurred_at'],
  conversion: ['type', 'impression_id', 'conversion_id'],
};

const SEPARATOR = '\x1f';
export const KEY_BYTES = 16;

declare const keyBrand: unique symbol;

/**
 * An idempotency key: its 16 bytes as a string of 16 characters, each one
 * byte (latin1, what crypto.hash's 'binary' output is). A Buffer per event
 * cost the sink more than the hash that makes it: creating it (a native
 * write and a typed array) and reading it back as the batch's Map key came
 * to about 0.5 µs an event, and its typed array lived as long as the
 * batch. The bytes are written where they leave the process:
 * COPY's hex (encode-copy-rows.ts), the Redis scripts' packed argument.
 */
export type IdempotencyKey = string & { readonly [keyBrand]: true };

/**
 * First 16 bytes of SHA-256 over the rule's fields joined by 0x1F. The text
 * is built by concatenation, without an array per event.
 */
export function idempotencyKey(event: AdEvent): IdempotencyKey {
  const fields = KEY_RULES[event.type];
  let text = fieldText(event, fields[0]);
  for (let i = 1; i < fields.length; i += 1) text += SEPARATOR + fieldText(event, fields[i]);
  return hash('sha256', text, 'binary').slice(0, KEY_BYTES) as IdempotencyKey;
}

/** The key's bytes. */
export function keyBytes(key: IdempotencyKey): Buffer {
  return Buffer.from(key, 'latin1');
}

/** A key from its bytes (a tool's or a test's; the scripts refuse any length but KEY_BYTES). */
export function keyFromBytes(bytes: Buffer): IdempotencyKey {
  return bytes.toString('latin1') as IdempotencyKey;
}

function fieldText(event: AdEvent, field: keyof AdEvent | undefined): string {
  return field === undefined ? '' : String(event[field] ?? '');
}
