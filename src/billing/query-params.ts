import { z } from 'zod';
import { normalizeTimestamp } from '../event/normalize-timestamp.js';

/**
 * The rules the billing routes' query parameters share (SPEC §3), written
 * once so that the hourly, daily and changes routes cannot drift apart.
 */

/** campaign_id, ad_id, publisher_id: the identifier alphabet of SPEC §1. */
export const idParam = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1..64 chars of [A-Za-z0-9._:-]');

// SPEC §3: bounds in the years 1970..9999 (UTC). Outside them PostgreSQL
// refuses the instant (22008, 22009) or JavaScript prints it in a form
// PostgreSQL cannot read ("+010000-..."): a 400 here, never a 5xx there.
const FIRST_MS = Date.UTC(1970, 0, 1);
const END_MS = Date.UTC(10000, 0, 1);

/** An RFC 3339 instant in the years 1970..9999, as epoch milliseconds. */
export const instantParam = z
  .string()
  .transform((text, ctx) => {
    const epochMs = readInstant(text, ctx);
    return epochMs === undefined ? z.NEVER : epochMs;
  })
  .meta({ format: 'date-time', description: 'RFC 3339 with an offset, in the years 1970..9999' });

/**
 * An instant on a bucket boundary (`ms` long buckets from the epoch), as
 * epoch milliseconds; `rule` is the issue's message when it is not.
 */
export function boundaryParam(ms: number, rule: string) {
  return (
    z
      .string()
      .transform((text, ctx) => {
        const epochMs = readInstant(text, ctx);
        if (epochMs === undefined) return z.NEVER;
        // Digits past the millisecond are dropped by normalizeTimestamp: a
        // non-zero one means the instant is not on the boundary either.
        if (epochMs % ms !== 0 || /\.\d{3}\d*[1-9]/.test(text)) {
          ctx.addIssue({ code: 'custom', message: rule });
          return z.NEVER;
        }
        return epochMs;
      })
      // For the OpenAPI document (src/openapi/): the rule as the 400 names it.
      .meta({ format: 'date-time', description: `${rule}; in the years 1970..9999` })
  );
}

/** The instant `text` names, or undefined after adding the issue that says why not. */
function readInstant(text: string, ctx: z.RefinementCtx): number | undefined {
  const ts = normalizeTimestamp(text);
  if (ts === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be an RFC 3339 timestamp with an offset' });
    return undefined;
  }
  if (ts.epochMs < FIRST_MS || ts.epochMs >= END_MS) {
    ctx.addIssue({ code: 'custom', message: 'must lie in the years 1970..9999 (UTC)' });
    return undefined;
  }
  return ts.epochMs;
}
