import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { startRuntimeMetrics } from '../../src/telemetry/runtime-metrics.js';
import { waitFor } from '../../testkit/wait-for.js';

/** A provider read as GET /metrics reads the gateway's (src/telemetry/metrics.ts). */
function createReadableProvider() {
  const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  const provider = new MeterProvider({ readers: [exporter] });
  const serializer = new PrometheusSerializer('', false, undefined, true, true);
  const render = async () => serializer.serialize((await exporter.collect()).resourceMetrics);
  return { provider, render };
}

const sampleNames = (text: string) =>
  new Set(
    text
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(l)?.[0] ?? ''),
  );

describe('runtime metrics', () => {
  it('reports event-loop delay, heap, GC, CPU and RSS on the provider it is given', async () => {
    const { provider, render } = createReadableProvider();
    const stop = startRuntimeMetrics(provider);
    try {
      // GC durations come from a PerformanceObserver: provoke one collection.
      const garbage: unknown[] = [];
      for (let i = 0; i < 200_000; i++) garbage.push({ i });
      garbage.length = 0;
      let names = new Set<string>();
      await waitFor(
        'every runtime series on the provider',
        async () => {
          names = sampleNames(await render());
          return [
            'nodejs_eventloop_delay_p99',
            'v8js_memory_heap_used',
            'v8js_gc_duration_count',
            'process_cpu_seconds_total',
            'process_resident_memory_bytes',
          ].every((n) => names.has(n));
        },
        20_000,
        100,
      ).catch((error: Error) => {
        throw new Error(`${error.message}; served: ${[...names].join(', ')}`);
      });
      const text = await render();
      const rss = /^process_resident_memory_bytes (\S+)/m.exec(text)?.[1];
      assert.ok(Number(rss) > 1_000_000, `RSS in bytes, got ${rss}`);
      assert.match(text, /^process_cpu_seconds_total\{mode="user"\} /m);
    } finally {
      stop();
      await provider.shutdown();
    }
  });
});
