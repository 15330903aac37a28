import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { Logger } from './logger.js';

export interface Tracing {
  /** Flushes the spans still buffered; part of the drain. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK with an OTLP/HTTP trace exporter when a URL
 * is configured. Without one the SDK is not started, the global tracer
 * stays the no-op one, and the spans in the pipeline cost nothing.
 * Metrics do not go through the SDK: they are served on /metrics.
 */
export function startTracing(url: string | undefined, log: Logger): Tracing {
  if (url === undefined) return { shutdown: async () => undefined };
  const sdk = new NodeSDK({
    serviceName: 'adgate',
    traceExporter: new OTLPTraceExporter({ url }),
    instrumentations: [],
    // The SDK would otherwise also start metric and log pipelines from
    // OTEL_* variables; adgate's configuration is ADGATE_* only.
    autoDetectResources: false,
  });
  sdk.start();
  log.info('tracing on', { url });
  return { shutdown: () => sdk.shutdown() };
}
