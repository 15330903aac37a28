import type { Logger } from './logger.js';
import { markTracingEnabled } from './trace-messages.js';

export interface Tracing {
  /** Flushes the spans still buffered; part of the drain. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK with an OTLP/HTTP trace exporter when a URL
 * is configured. Without one the SDK is not even loaded (it costs ~25 MB of
 * RSS), the global tracer stays the no-op one, and the spans in the
 * pipeline cost nothing. Metrics do not go through the SDK: they are served
 * on /metrics.
 */
export async function startTracing(url: string | undefined, log: Logger): Promise<Tracing> {
  if (url === undefined) return { shutdown: async () => undefined };
  const [{ NodeSDK }, { OTLPTraceExporter }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
  ]);
  const sdk = new NodeSDK({
    serviceName: 'adgate',
    traceExporter: new OTLPTraceExporter({ url }),
    instrumentations: [],
    // adgate's configuration is ADGATE_* only: no resource detectors that
    // read the environment.
    autoDetectResources: false,
  });
  sdk.start();
  markTracingEnabled();
  // The SDK reads the standard OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG
  // itself (head sampling: parentbased_traceidratio with 0.01 keeps 1%).
  log.info('tracing on', { url });
  return { shutdown: () => sdk.shutdown() };
}
