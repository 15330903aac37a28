import { z } from 'zod';

/** The identifier alphabet of SPEC §1. */
const ID_CHARS = 'A-Za-z0-9._:-';
const MAX_MICROS = 1_000_000_000_000_000; // 10^15, SPEC §1
const MAX_ATTRIBUTES = 32;

const id = (max: number) =>
  z
    .string()
    .regex(new RegExp(`^[${ID_CHARS}]{1,${max}}$`), `must be 1..${max} chars of [${ID_CHARS}]`);
// A float, a string or a negative number in a money field is an invalid
// event (SPEC §1): z.number().int() refuses 1.5 and "100" alike.
const micros = z.number().int().min(0).max(MAX_MICROS).default(0);

const MAX_KEY_CHARS = 64;
const MAX_VALUE_CHARS = 256;

/**
 * `attributes`, an object of string to string (SPEC §1). Not z.record:
 * zod builds a record's output by assignment into a plain `{}` and so skips
 * a `__proto__` key altogether (neither checked nor copied, lest it set the
 * prototype): {"__proto__": 5} passed and {"__proto__": "x"} was stored as
 * {}. SPEC §1 makes every key an ordinary one, so each own entry is checked
 * here, whatever its name, and the output is built with
 * Object.fromEntries, which defines own properties (no setter runs), so
 * JSON.stringify and the COPY encoder keep every key.
 */
const attributesSchema = z
  .unknown()
  .transform((input, ctx): Record<string, string> => {
    if (!isObject(input)) {
      ctx.issues.push({ code: 'custom', message: 'must be an object of string to string', input });
      return {};
    }
    const entries = Object.entries(input);
    if (entries.length > MAX_ATTRIBUTES) {
      ctx.issues.push({ code: 'custom', message: `at most ${MAX_ATTRIBUTES} entries`, input });
    }
    for (const [key, value] of entries) {
      const message = attributeIssue(key, value);
      if (message !== undefined) ctx.issues.push({ code: 'custom', message, input, path: [key] });
    }
    return Object.fromEntries(entries) as Record<string, string>;
  })
  // What z.record would have said, for the generated JSON Schema (OpenAPI).
  .meta({
    type: 'object',
    maxProperties: MAX_ATTRIBUTES,
    propertyNames: { minLength: 1, maxLength: MAX_KEY_CHARS },
    additionalProperties: { type: 'string', maxLength: MAX_VALUE_CHARS },
  });

/**
 * The attributes as the transform above outputs them, or undefined when it
 * would report an issue: the same rule, for the fast path of fast-parse.ts.
 */
export function acceptAttributes(input: unknown): Record<string, string> | undefined {
  if (!isObject(input)) return undefined;
  const entries = Object.entries(input);
  if (entries.length > MAX_ATTRIBUTES) return undefined;
  for (const [key, value] of entries)
    if (attributeIssue(key, value) !== undefined) return undefined;
  return Object.fromEntries(entries) as Record<string, string>;
}

function isObject(input: unknown): input is object {
  return typeof input === 'object' && input !== null && !Array.isArray(input);
}

/** Lengths in UTF-16 code units, as zod's z.string().max counts them. */
function attributeIssue(key: string, value: unknown): string | undefined {
  if (key.length < 1 || key.length > MAX_KEY_CHARS) return `key must be 1..${MAX_KEY_CHARS} chars`;
  if (typeof value !== 'string') {
    return `must be a string, not ${value === null ? 'null' : typeof value}`;
  }
  if (value.length > MAX_VALUE_CHARS) return `must be at most ${MAX_VALUE_CHARS} chars`;
  return undefined;
}

export const EVENT_TYPES = ['impression', 'click', 'conversion'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Schema version 1 of SPEC §1. `strict`: a typo in a money field must not vanish. */
export const eventSchema = z
  .strictObject({
    type: z.enum(EVENT_TYPES),
    impression_id: id(128),
    // Its form is checked by validateEvent, which normalises it once.
    occurred_at: z.string().max(64),
    campaign_id: id(64),
    ad_id: id(64),
    publisher_id: id(64),
    conversion_id: id(128).optional(),
    cost_micros: micros,
    revenue_micros: micros,
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code of three capital letters')
      .default('USD'),
    attributes: attributesSchema.optional(),
  })
  .superRefine((event, ctx) => {
    const message = conversionIdIssue(event.type, event.conversion_id);
    if (message !== undefined) ctx.addIssue({ code: 'custom', path: ['conversion_id'], message });
  });

/** The schema's one rule across fields, shared with the fast path (fast-parse.ts). */
export function conversionIdIssue(
  type: EventType,
  conversionId: string | undefined,
): string | undefined {
  if (type === 'conversion' && conversionId === undefined) return 'required for a conversion';
  if (type !== 'conversion' && conversionId !== undefined) return `forbidden for a ${type}`;
  return undefined;
}

/**
 * The refinements above, counted: fast-parse.ts knows this many and runs
 * them itself; a refinement added without it turns its fast path off.
 */
export const EVENT_REFINEMENTS = 1;

/** One reason an event is refused, with the field it concerns (SPEC §3 `issues`). */
export interface Issue {
  readonly path: string;
  readonly message: string;
}

export type RawEvent = z.output<typeof eventSchema>;

/** A valid event with `occurred_at` normalised (SPEC §2) and its instant kept. */
export interface AdEvent extends RawEvent {
  readonly occurredAtMs: number;
}
