import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort, type GatewayProcess } from '../../testkit/gateway-process.js';
import { fetchMetrics, type MetricSample, metricValue } from '../../testkit/prometheus.js';
import { waitFor } from '../../testkit/wait-for.js';
import { impression } from '../support/events.js';
import { GatewayFleet } from '../support/gateway-fleet.js';
import { createTestPipeline, type TestPipeline } from '../support/pipeline.js';
import { startSlowRequest } from '../support/slow-request.js';

// ADGATE_METRICS_PORT: /metrics and the probes on a listener that stays
// open through the drain, where the ingress listener closes first (SPEC §7).
// A scrape mid-drain sees the instance draining and how far its drain has
// run towards the deadline: what the AdgateDrainNearDeadline alert reads.

const DRAIN_TIMEOUT_MS = 4_000;

interface Seen {
  readonly state: string | undefined;
  readonly elapsed: number;
  readonly deadline: number;
}

/** The supervisor's view (or the single process's): the instance's state and drain clock. */
function instanceView(samples: readonly MetricSample[], worker?: string): Seen {
  const own: Record<string, string> = worker === undefined ? {} : { worker };
  const state = samples.find(
    (s) =>
      s.name === 'adgate_lifecycle_state' &&
      s.value === 1 &&
      (worker === undefined || s.labels.worker === worker),
  )?.labels.state;
  return {
    state,
    elapsed: metricValue(samples, 'adgate_drain_elapsed_seconds', own) ?? Number.NaN,
    deadline: metricValue(samples, 'adgate_drain_deadline_seconds', own) ?? Number.NaN,
  };
}

/** Scrapes the metrics port until the process is gone; every view it got. */
async function scrapeUntilExit(gateway: GatewayProcess, url: string, worker?: string) {
  const seen: Seen[] = [];
  let exited = false;
  void gateway.exited().then(() => {
    exited = true;
  });
  while (!exited) {
    const samples = await fetchMetrics(url).catch(() => undefined);
    if (samples !== undefined) seen.push(instanceView(samples, worker));
    await new Promise((r) => setTimeout(r, 100));
  }
  return seen;
}

async function startWithMetricsPort(fleet: GatewayFleet, env: Record<string, string>) {
  const metricsPort = await freePort();
  const gateway = await fleet.start({ ADGATE_METRICS_PORT: String(metricsPort), ...env });
  return { gateway, metricsUrl: `http://127.0.0.1:${metricsPort}` };
}

describe('the metrics port, open through the drain', () => {
  let pipeline: TestPipeline;
  const fleet = new GatewayFleet(() => ({
    ...pipeline.env,
    ADGATE_DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS),
  }));

  before(async () => {
    pipeline = await createTestPipeline();
  });
  after(async () => {
    await fleet.killAll();
    await pipeline?.cleanup();
  });

  it('shows the whole instance, then its drain running to the deadline it overran', async () => {
    const { gateway, metricsUrl } = await startWithMetricsPort(fleet, {
      ADGATE_INGRESS_WORKERS: '1',
      ADGATE_SINK_WORKERS: '1',
    });
    assert.equal((await fetch(`${metricsUrl}/readyz`)).status, 200);
    assert.equal((await fetch(`${metricsUrl}/healthz`)).status, 200);
    const samples = await fetchMetrics(metricsUrl);
    const workers = new Set(samples.map((s) => s.labels.worker));
    assert.deepEqual([...workers].sort(), ['ingress-0', 'sink-0', 'supervisor']);
    assert.deepEqual(instanceView(samples, 'supervisor'), {
      state: 'ready',
      elapsed: 0,
      deadline: DRAIN_TIMEOUT_MS / 1000,
    });

    // A request that never finishes holds the ingress worker's drain past its deadline.
    const slow = startSlowRequest(gateway.url, JSON.stringify([impression(`imp-${Date.now()}`)]));
    await slow.headersSent;
    void slow.response.catch(() => undefined);
    gateway.kill('SIGTERM');
    const seen = await scrapeUntilExit(gateway, metricsUrl, 'supervisor');
    assert.deepEqual(
      await gateway.exited(),
      { code: 1, signal: null },
      gateway.output().slice(-3000),
    );
    assert.match(gateway.output(), /"reason":"drain_timeout"/);

    const draining = seen.filter((s) => s.state === 'draining' || s.state === 'failed');
    assert.ok(draining.length >= 2, `scrapes mid-drain: ${JSON.stringify(seen)}`);
    const elapsed = draining.map((s) => s.elapsed);
    assert.deepEqual(
      elapsed,
      [...elapsed].sort((a, b) => a - b),
      'the drain clock only moves on',
    );
    // The alert's threshold: half the deadline, seen before the exit.
    const last = elapsed.at(-1) ?? 0;
    assert.ok(
      last >= DRAIN_TIMEOUT_MS / 2000 && last <= DRAIN_TIMEOUT_MS / 1000 + 1,
      `the last scrape saw ${last} s of a ${DRAIN_TIMEOUT_MS / 1000} s deadline`,
    );
  });

  it('stays open in one process while the ingress listener is closed, and the drain ends clean', async () => {
    const { gateway, metricsUrl } = await startWithMetricsPort(fleet, {
      ADGATE_SINGLE_PROCESS: 'true',
    });
    const slow = startSlowRequest(gateway.url, JSON.stringify([impression(`imp-${Date.now()}`)]));
    await slow.headersSent;
    gateway.kill('SIGTERM');
    await waitFor('the metrics port to show the drain', async () => {
      const view = instanceView(await fetchMetrics(metricsUrl));
      return view.state === 'draining' && view.elapsed > 0;
    });
    // The ingress takes nothing new (SPEC §7: its listener is closed, or a
    // kept-alive connection gets a 503); the metrics port still answers.
    const ingress = await fetch(`${gateway.url}/readyz`).then(
      (r) => r.status,
      () => 'refused',
    );
    assert.ok(ingress === 'refused' || ingress === 503, `the ingress answered ${ingress}`);
    assert.equal((await fetch(`${metricsUrl}/readyz`)).status, 503);
    assert.equal((await fetch(`${metricsUrl}/healthz`)).status, 200);

    slow.finish();
    assert.equal((await slow.response).status, 202, 'the request in flight was answered');
    assert.deepEqual(
      await gateway.exited(),
      { code: 0, signal: null },
      gateway.output().slice(-3000),
    );
  });
});
