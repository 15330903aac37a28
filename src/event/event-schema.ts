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
    attributes: z
      .record(z.string().min(1).max(64), z.string().max(256))
      .refine((a) => Object.keys(a).length <= MAX_ATTRIBUTES, {
        message: `at most ${MAX_ATTRIBUTES} entries`,
      })
      .optional(),
  })
  .superRefine((event, ctx) => {
    if (event.type === 'conversion' && event.conversion_id === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['conversion_id'],
        message: 'required for a conversion',
      });
    }
    if (event.type !== 'conversion' && event.conversion_id !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['conversion_id'],
        message: `forbidden for a ${event.type}`,
      });
    }
  });

export type RawEvent = z.output<typeof eventSchema>;

/** A valid event with `occurred_at` normalised (SPEC §2) and its instant kept. */
export interface AdEvent extends RawEvent {
  readonly occurredAtMs: number;
}
