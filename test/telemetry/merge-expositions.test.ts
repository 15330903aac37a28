import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeExpositions } from '../../src/telemetry/merge-expositions.js';

const ingress = `# HELP adgate_http_requests_total HTTP requests
# TYPE adgate_http_requests_total counter
adgate_http_requests_total{route="/v1/events",status="202"} 7
# HELP process_uptime_seconds Uptime
# TYPE process_uptime_seconds gauge
process_uptime_seconds 12.5
`;
const sink = `# HELP process_uptime_seconds Uptime
# TYPE process_uptime_seconds gauge
process_uptime_seconds 11
# HELP adgate_flush_seconds Flush time
# TYPE adgate_flush_seconds histogram
adgate_flush_seconds_count 3
adgate_flush_seconds_bucket{le="0.1"} 2
adgate_flush_seconds_bucket{} 2
`;

describe('mergeExpositions', () => {
  const merged = mergeExpositions([
    { worker: 'ingress-0', text: ingress },
    { worker: 'sink-0', text: sink },
  ]);
  const lines = merged.trimEnd().split('\n');

  it('labels every sample with the process it came from', () => {
    assert.ok(
      lines.includes(
        'adgate_http_requests_total{worker="ingress-0",route="/v1/events",status="202"} 7',
      ),
    );
    assert.ok(lines.includes('process_uptime_seconds{worker="ingress-0"} 12.5'));
    assert.ok(lines.includes('process_uptime_seconds{worker="sink-0"} 11'));
    assert.ok(lines.includes('adgate_flush_seconds_bucket{worker="sink-0",le="0.1"} 2'));
    assert.ok(lines.includes('adgate_flush_seconds_bucket{worker="sink-0"} 2'));
    assert.ok(lines.includes('adgate_flush_seconds_count{worker="sink-0"} 3'));
  });

  it('gives each family one HELP and one TYPE, before all of its samples', () => {
    const at = (line: string) => lines.indexOf(line);
    assert.equal(lines.filter((l) => l.startsWith('# TYPE process_uptime_seconds')).length, 1);
    assert.equal(lines.filter((l) => l.startsWith('# HELP process_uptime_seconds')).length, 1);
    const type = at('# TYPE process_uptime_seconds gauge');
    assert.ok(type < at('process_uptime_seconds{worker="ingress-0"} 12.5'));
    assert.ok(type < at('process_uptime_seconds{worker="sink-0"} 11'));
    // The sink's samples of the family join the ingress's, not the end.
    assert.ok(
      at('process_uptime_seconds{worker="sink-0"} 11') <
        at('# TYPE adgate_flush_seconds histogram'),
    );
  });

  it('keeps every sample and ends with a newline', () => {
    const samples = (text: string) =>
      text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    assert.equal(samples(merged).length, samples(ingress).length + samples(sink).length);
    assert.ok(merged.endsWith('\n'));
    assert.equal(mergeExpositions([{ worker: 'x', text: '' }]), '');
  });
});
