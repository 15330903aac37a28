import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metricValue, parseMetrics } from '../../testkit/prometheus.js';

const EXPOSITION = [
  '# HELP adgate_sink_events_total Messages the sink finished.',
  '# TYPE adgate_sink_events_total counter',
  'adgate_sink_events_total{outcome="inserted"} 120',
  'adgate_sink_events_total{outcome="duplicate",stage="redis"} 7',
  'adgate_sink_events_total_extra{outcome="inserted"} 1000',
  'adgate_sink_events 5',
  'adgate_http_ack_seconds_bucket{le="0.5"} 3',
  'adgate_http_ack_seconds_count 4',
  'adgate_dedup_degraded 0',
  'adgate_label_text{path="a\\"b"} 2',
  '',
].join('\n');

describe('parseMetrics: an exposition, whole or some names only', () => {
  it('reads every sample, labels unescaped, comments skipped', () => {
    const samples = parseMetrics(EXPOSITION);
    assert.equal(samples.length, 8);
    assert.equal(metricValue(samples, 'adgate_sink_events_total'), 127);
    assert.deepEqual(samples.at(-1), {
      name: 'adgate_label_text',
      labels: { path: 'a"b' },
      value: 2,
    });
  });

  it('keeps only the samples of the names given, exactly those names', () => {
    const samples = parseMetrics(EXPOSITION, ['adgate_sink_events_total', 'adgate_dedup_degraded']);
    assert.deepEqual(
      samples.map((s) => [s.name, s.value]),
      [
        ['adgate_sink_events_total', 120],
        ['adgate_sink_events_total', 7],
        ['adgate_dedup_degraded', 0],
      ],
    );
    assert.deepEqual(parseMetrics(EXPOSITION, []), []);
  });
});
