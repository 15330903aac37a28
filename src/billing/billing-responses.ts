import { z } from 'zod';

/**
 * The bodies the billing and reconciliation routes answer (SPEC §3), as
 * zod schemas: the routes build their bodies to these types, the OpenAPI
 * document (src/openapi/) is generated from them, and a test parses real
 * answers with them, so the three cannot drift apart.
 */

const instant = z.iso.datetime();
// Sums of micros can pass 2^53, where JSON numbers lose digits.
const decimal = z.string().regex(/^\d+$/).meta({ description: 'a decimal integer, as a string' });
const count = z.number().int().min(0);

export const billingRowSchema = z.strictObject({
  bucket: instant.meta({ description: 'the UTC hour or day' }),
  campaign_id: z.string(),
  ad_id: z.string(),
  publisher_id: z.string(),
  currency: z.string(),
  impressions: count,
  clicks: count,
  conversions: count,
  cost_micros: decimal,
  revenue_micros: decimal,
});

export const billingRowsSchema = z.strictObject({ rows: z.array(billingRowSchema) });

export const changeRowSchema = billingRowSchema.extend({
  updated_at: instant.meta({ description: 'when the sums last changed' }),
});

export const changesPageSchema = z.strictObject({
  rows: z.array(changeRowSchema),
  next_cursor: z.string().meta({ description: 'pass as `cursor` on the next call' }),
  more: z.boolean().meta({ description: 'true when the page was full: call again at once' }),
});

export const watermarkSchema = z.strictObject({
  watermark: instant.meta({ description: 'no billing row of an hour before it can change' }),
  as_of: instant,
  lagging_partitions: z.array(
    z.strictObject({
      partition: z.number().int().min(0),
      next_offset: decimal,
      end_offset: decimal,
      settled_before: instant,
    }),
  ),
});

export const orphansReportSchema = z.strictObject({
  rows: z.array(
    z.strictObject({
      hour: instant,
      campaign_id: z.string(),
      clicks: count,
      conversions: count,
      impressions_missing: count,
    }),
  ),
  received_before: instant.meta({ description: 'only what arrived before this is judged' }),
  grace_ms: count,
});

export const invalidQuerySchema = z.strictObject({
  error: z.literal('invalid query'),
  issues: z.array(z.strictObject({ path: z.string(), message: z.string() })),
});
