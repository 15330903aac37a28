import { z } from 'zod';
import { LIFECYCLE_STATES } from '../lifecycle/lifecycle-state.js';

/** The bodies of the routes outside billing (SPEC §3), for the OpenAPI document and its test. */

export const errorSchema = z
  .object({ error: z.string(), reason: z.string().optional() })
  .meta({ description: 'what went wrong; `reason` is the token of the log and metrics' });

const issue = z.strictObject({ path: z.string(), message: z.string() });

/** 202 and 422 of POST /v1/events. */
export const eventsAnswerSchema = z.strictObject({
  accepted: z.number().int().min(0),
  rejected: z.array(
    z.strictObject({
      index: z.number().int().min(0),
      reason: z.enum(['invalid', 'unparsable', 'too_large']),
      issues: z.array(issue),
    }),
  ),
});

const state = z.enum(LIFECYCLE_STATES);
export const healthSchema = z.strictObject({ status: z.enum(['alive', 'failed']), state });
export const readySchema = z.strictObject({ state });
export const drainSchema = z.strictObject({ state: z.literal('draining') });
