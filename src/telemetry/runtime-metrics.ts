import type { MeterProvider } from '@opentelemetry/api';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';

/**
 * Runtime metrics on the gateway's own MeterProvider (never the global one,
 * so that tests can run several gateways in one process):
 *
 * - from @opentelemetry/instrumentation-runtime-node: event-loop delay
 *   (`nodejs_eventloop_delay_{min,mean,p50,p90,p99,max}`, seconds),
 *   `nodejs_eventloop_utilization`, V8 heap (`v8js_memory_heap_used`,
 *   `v8js_memory_heap_space_*`, bytes, per space), GC pauses
 *   (`v8js_gc_duration` histogram, seconds, by `v8js_gc_type`), active
 *   resources. /metrics serves names without unit suffixes (the serializer
 *   of metrics.ts), so the unit is in each instrument's description.
 * - that package reports neither process CPU nor RSS, so two observable
 *   instruments here add them under the names every Prometheus client
 *   library uses, which SREs' dashboards already know:
 *   `process_cpu_seconds_total{mode}` (user, system) and
 *   `process_resident_memory_bytes`.
 *
 * None has a label beyond the runtime's own (heap space, GC type, CPU
 * mode): no cardinality grows with traffic. Returns the function that stops
 * them (the instrumentation's timers and GC observer go with it).
 */
export function startRuntimeMetrics(provider: MeterProvider): () => void {
  // Enabled once, after it has its provider (enabled at construction it
  // would start its collectors against the global no-op one first).
  // monitoringPrecision: the event-loop delay histogram's resolution in ms.
  const runtime = new RuntimeNodeInstrumentation({ enabled: false, monitoringPrecision: 10 });
  runtime.setMeterProvider(provider);
  runtime.enable();
  observeProcess(provider);
  return () => runtime.disable();
}

function observeProcess(provider: MeterProvider): void {
  const meter = provider.getMeter('adgate-process');
  meter
    .createObservableCounter('process_cpu_seconds', {
      description: 'CPU time the process used, in seconds, by mode (user, system)',
    })
    .addCallback((result) => {
      const usage = process.cpuUsage(); // microseconds since the process began
      result.observe(usage.user / 1e6, { mode: 'user' });
      result.observe(usage.system / 1e6, { mode: 'system' });
    });
  meter
    .createObservableGauge('process_resident_memory_bytes', {
      description: 'Resident set size of the process (RSS), in bytes',
    })
    .addCallback((result) => result.observe(process.memoryUsage.rss()));
}
