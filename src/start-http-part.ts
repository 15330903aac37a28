import type pg from 'pg';
import type { Config } from './config/load-config.js';
import { createApp } from './ingress-http/create-app.js';
import { listenConfigured } from './ingress-http/listen-configured.js';
import { closeHttpServer } from './ingress-http/start-http-server.js';
import type { createKafka } from './kafka/create-kafka.js';
import { readPartitionPositions } from './kafka/read-partition-positions.js';
import type { Producer } from './kafka/types.js';
import type { DrainStep } from './lifecycle/drain-gateway.js';
import type { Lifecycle } from './lifecycle/lifecycle-state.js';
import type { Logger } from './telemetry/logger.js';
import type { Metrics } from './telemetry/metrics.js';

// The HTTP part's wiring, in a module of its own so that a process that
// does not listen (a sink worker) never loads hono, the routes or their
// schemas (create-gateway.ts imports it only for a listener).

/** What of the gateway's start the HTTP part needs. */
export interface HttpPartContext {
  readonly lifecycle: Lifecycle;
  readonly metrics: Metrics;
  readonly opened: DrainStep[];
  readonly onDrainRequested: () => void;
  readonly renderMetrics?: (() => Promise<string>) | undefined;
}

/**
 * The HTTP app (ingress, billing, admin, probes) on its listener, with the
 * billing watermark's reader of the ingest topic's positions (admin API
 * only).
 */
export async function startHttpPart(
  config: Config,
  ctx: HttpPartContext,
  deps: {
    kafka: ReturnType<typeof createKafka>;
    producer: Producer | undefined;
    pool: pg.Pool;
    log: Logger;
  },
) {
  const ingestLog = readPartitionPositions(deps.kafka, config.ADGATE_TOPIC);
  ctx.opened.push({ name: 'kafka: close the watermark reader', run: () => ingestLog.close() });
  const app = createApp({
    config,
    ingestLog,
    producer: deps.producer,
    pool: deps.pool,
    lifecycle: ctx.lifecycle,
    metrics: ctx.metrics,
    renderMetrics: ctx.renderMetrics,
    log: deps.log.child({ component: 'http' }),
    requestDrain: ctx.onDrainRequested,
  });
  const { server, port } = await listenConfigured(app.fetch, config, ctx.metrics);
  return { port, ingestLog, close: () => closeHttpServer(server) };
}
