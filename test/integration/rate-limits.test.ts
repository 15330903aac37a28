import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type GatewayProcess, startGatewayProcess } from '../../testkit/gateway-process.js';
import { fetchMetrics, metricValue } from '../../testkit/prometheus.js';
import { getBilling, impression, postEvents } from '../support/events.js';
import { createTestPipeline, type TestPipeline } from '../support/pipeline.js';

// SPEC §6: rate limits per key (a token bucket of events per second and a
// burst), set with the key or for all keys; 429 with Retry-After from the
// bucket. Failed authentication is throttled per client address without
// ever slowing a valid key. (issue 14)

// Rates of one token every 10 s: no refill during the test can blur a 429.
const KEYS = {
  limited: 'rl-limited-0123456789',
  shared: 'rl-shared-0123456789',
  billing: 'rl-billing-0123456789',
};

function events(tag: string, n: number) {
  return Array.from({ length: n }, (_, i) => impression(`rl-${tag}-${i}-${Date.now()}`));
}

describe('rate limits (SPEC §6, issue 14)', () => {
  let pipeline: TestPipeline;
  let gateway: GatewayProcess;

  before(async () => {
    pipeline = await createTestPipeline({
      env: {
        ADGATE_ROLES: 'ingress',
        ADGATE_INGRESS_WORKERS: '1',
        ADGATE_API_KEYS: [
          `ads:ingest@0.1/20:${KEYS.limited}`,
          `eu:ingest:${KEYS.shared}`,
          `fin:billing:${KEYS.billing}`,
        ].join(','),
        ADGATE_RATE_LIMIT: '0.1/8',
        ADGATE_AUTH_FAILURE_LIMIT: '0.1/3',
      },
    });
    gateway = await startGatewayProcess(pipeline.env);
  });

  after(async () => {
    await gateway?.stop('SIGTERM', 30_000).catch(() => undefined);
    await pipeline?.cleanup();
  });

  it("takes a key's burst, then answers 429 with the bucket's Retry-After", async () => {
    const first = await postEvents(gateway.url, events('a', 20), { key: KEYS.limited });
    assert.equal(first.status, 202);
    const over = await postEvents(gateway.url, events('b', 5), { key: KEYS.limited });
    assert.equal(over.status, 429);
    // 5 tokens at 0.1 a second: about 50 s, never the 1 s of a guess.
    const retryAfter = Number(over.headers.get('retry-after'));
    assert.ok(retryAfter >= 40 && retryAfter <= 50, `Retry-After: ${retryAfter}`);
  });

  it('gives every key its own bucket, the default one where the key sets none', async () => {
    assert.equal((await postEvents(gateway.url, events('c', 8), { key: KEYS.shared })).status, 202);
    assert.equal((await postEvents(gateway.url, events('d', 1), { key: KEYS.shared })).status, 429);
  });

  it('answers 413, not 429, to a request that no wait could ever admit', async () => {
    const response = await postEvents(gateway.url, events('e', 21), { key: KEYS.limited });
    assert.equal(response.status, 413);
    assert.match(String(response.body.error), /burst is 20/);
  });

  it('throttles an address that keeps failing authentication, never a valid key', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      statuses.push((await postEvents(gateway.url, events('f', 1), { key: `guess-${i}` })).status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
    const billing = await getBilling(
      gateway.url,
      'hourly',
      { campaign_id: 'camp-1', from: '2026-01-01T00:00:00Z', to: '2026-01-01T01:00:00Z' },
      { key: 'yet-another-guess' },
    );
    assert.equal(billing.status, 429, 'every route shares the address budget');
    assert.ok(Number(billing.headers.get('retry-after')) >= 1);
    const valid = await getBilling(
      gateway.url,
      'hourly',
      { campaign_id: 'camp-1', from: '2026-01-01T00:00:00Z', to: '2026-01-01T01:00:00Z' },
      { key: KEYS.billing },
    );
    assert.notEqual(valid.status, 429, 'a valid key from the same address is never throttled');
  });

  it('counts throttled events by source and throttled authentications', async () => {
    const samples = await fetchMetrics(gateway.url);
    assert.equal(
      metricValue(samples, 'adgate_http_rate_limited_events_total', { source: 'ads' }),
      5 + 21,
    );
    assert.equal(
      metricValue(samples, 'adgate_http_rate_limited_events_total', { source: 'eu' }),
      1,
    );
    assert.equal(metricValue(samples, 'adgate_http_auth_throttled_total'), 3);
  });
});
