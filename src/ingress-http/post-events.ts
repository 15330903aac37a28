import type { Context } from 'hono';
import type { Config } from '../config/load-config.js';
import { AdgateError } from '../errors/adgate-error.js';
import type { EventRules } from '../event/decode-event.js';
import type { Producer } from '../kafka/types.js';
import type { Lifecycle } from '../lifecycle/lifecycle-state.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { inProducerSpan } from '../telemetry/trace-messages.js';
import type { RequestGuard } from './guard-requests.js';
import { judgeEvents } from './judge-events.js';
import { parseEventsBody } from './parse-events-body.js';
import { readBodyWithLimit } from './read-body.js';

export interface PostEventsDeps {
  readonly config: Config;
  readonly producer: Producer;
  readonly lifecycle: Lifecycle;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly guard: RequestGuard;
}

const RETRY_AFTER_S = '1';

/**
 * POST /v1/events (SPEC §3). A 202 is sent only after Kafka acknowledged
 * every accepted event from all in-sync replicas; anything else is a 503
 * that the client may retry, which the idempotency key makes safe.
 */
export function createPostEventsHandler(deps: PostEventsDeps) {
  const { config, producer, lifecycle, metrics, log, guard } = deps;
  const rules: EventRules = {
    window: { pastMs: config.ADGATE_ACCEPT_PAST_MS, futureMs: config.ADGATE_ACCEPT_FUTURE_MS },
    maxEventBytes: config.ADGATE_MAX_EVENT_BYTES,
  };

  return async (c: Context) => {
    const receivedAt = Date.now();
    const auth = guard.authorize(c, 'ingest');
    if (!auth.ok) return auth.response;
    if (!lifecycle.acceptingWork) {
      c.header('Retry-After', RETRY_AFTER_S);
      return c.json({ error: 'this instance is draining; retry on another' }, 503);
    }

    const body = await readBodyWithLimit(c.req.raw, config.ADGATE_MAX_BODY_BYTES);
    if (!body.ok) {
      return c.json({ error: `body larger than ${config.ADGATE_MAX_BODY_BYTES} bytes` }, 413);
    }
    const parsed = parseEventsBody(c.req.header('content-type'), body.bytes);
    if (!parsed.ok) return c.json({ error: parsed.error }, parsed.status);
    if (parsed.items.length > config.ADGATE_MAX_EVENTS_PER_REQUEST) {
      return c.json(
        {
          error: `${parsed.items.length} events in one request; at most ${config.ADGATE_MAX_EVENTS_PER_REQUEST}`,
        },
        413,
      );
    }
    if (parsed.items.length === 0) return c.json({ error: 'no events in the body' }, 400);

    const { accepted, rejected } = judgeEvents(
      parsed.items,
      receivedAt,
      rules,
      auth.key.source,
      parsed.values,
    );
    const messages = accepted.map((a) => a.message);
    metrics.httpEvents.add(rejected.length, { outcome: 'rejected' });
    if (messages.length === 0) return c.json({ accepted: 0, rejected }, 422);
    // Charged for what would reach Kafka; a refused request forwards nothing.
    const throttled = guard.admitEvents(c, auth.key, messages.length);
    if (throttled !== undefined) return throttled;

    try {
      await inProducerSpan(config.ADGATE_TOPIC, messages, (traced) =>
        producer.send(config.ADGATE_TOPIC, traced, config.ADGATE_PRODUCE_TIMEOUT_MS),
      );
    } catch (error) {
      // SPEC §3: a 503 only when a retry may succeed (the error's own
      // classification says so); a refusal that would repeat is a 500.
      if (error instanceof AdgateError && error.retriable) {
        metrics.errors.add(1, { reason: error.reason });
        log.warn('events not acknowledged by Kafka; answering 503', {
          reason: error.reason,
          error,
          events: messages.length,
        });
        c.header('Retry-After', RETRY_AFTER_S);
        return c.json(
          { error: 'Kafka did not acknowledge the events in time; retry', reason: error.reason },
          503,
        );
      }
      const reason = error instanceof AdgateError ? error.reason : undefined;
      if (reason !== undefined) metrics.errors.add(1, { reason });
      log.error('Kafka refused the events; answering 500', {
        reason,
        error,
        events: messages.length,
      });
      return c.json({ error: 'Kafka refused the events', reason }, 500);
    }
    metrics.httpEvents.add(messages.length, { outcome: 'accepted' });
    return c.json({ accepted: messages.length, rejected }, 202);
  };
}
