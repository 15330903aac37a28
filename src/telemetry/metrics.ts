import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { createDedupInstruments } from './instruments/dedup.js';
import { createDlqInstruments } from './instruments/dlq.js';
import { createHttpInstruments } from './instruments/http.js';
import { createKafkaInstruments } from './instruments/kafka.js';
import { createLifecycleInstruments } from './instruments/lifecycle.js';
import { watchRuntime } from './instruments/runtime.js';
import { createSinkInstruments } from './instruments/sink.js';
import { startRuntimeMetrics } from './runtime-metrics.js';

/**
 * The gateway's instruments, one instance per process (never a global
 * provider, so that tests can run several pipelines side by side), grouped
 * by the stage that records them (instruments/). Served in Prometheus text
 * format on GET /metrics (SPEC §3).
 */
export function createMetrics() {
  const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  const provider = new MeterProvider({ readers: [exporter] });
  const meter = provider.getMeter('adgate');
  const serializer = new PrometheusSerializer('', false, undefined, true, true);
  const stopRuntimeWatch = watchRuntime(meter);
  const stopRuntimeMetrics = startRuntimeMetrics(provider);

  return {
    ...createHttpInstruments(meter),
    ...createSinkInstruments(meter),
    ...createKafkaInstruments(meter),
    // Recorded by every stage: the same reason token as the log and the DLQ header.
    errors: meter.createCounter('adgate_errors', {
      description: 'Failures by reason (the same token as in the log and the DLQ header)',
    }),
    ...createDedupInstruments(meter),
    ...createLifecycleInstruments(meter),
    ...createDlqInstruments(meter),

    /** Prometheus text exposition of everything above. */
    async render(): Promise<string> {
      const { resourceMetrics } = await exporter.collect();
      return serializer.serialize(resourceMetrics);
    },
    async shutdown(): Promise<void> {
      stopRuntimeWatch();
      stopRuntimeMetrics();
      await provider.shutdown();
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
