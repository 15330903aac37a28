import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type GatewayProcess, startGatewayProcess } from '../../testkit/gateway-process.js';
import { within } from '../../testkit/wait-for.js';
import {
  createObservedTopics,
  driveEveryMetric,
  type FaultyGateway,
  startFaultyGateway,
  trafficEnv,
} from '../support/drive-every-metric.js';
import {
  readmeMetricNames,
  servedMetricNames,
  UNSCRAPABLE_METRICS,
} from '../support/observability.js';
import { createTestPipeline, type TestPipeline } from '../support/pipeline.js';

// Issue 12: the README's metric tables kept in step with the code. After
// traffic that writes every series, the names two running gateways serve
// on /metrics and the names the README lists must be the same set: a
// metric listed but not served, or served but not listed, fails.

/** The compiled sources, for the metrics no scrape can see: they must still be declared. */
function compiledSources(): string {
  const root = fileURLToPath(new URL('../../src/', import.meta.url));
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) =>
    f.endsWith('.js'),
  );
  return files.map((f) => readFileSync(join(root, f), 'utf8')).join('\n');
}

describe('README metric tables', () => {
  let pipeline: TestPipeline;
  let gateway: GatewayProcess | undefined;
  let faulty: FaultyGateway | undefined;

  before(async () => {
    pipeline = await createTestPipeline({ partitions: 3 });
    await createObservedTopics(pipeline, 3);
    gateway = await startGatewayProcess({ ...pipeline.env, ...trafficEnv() });
    faulty = await startFaultyGateway(pipeline);
  });
  after(async () => {
    const failures: unknown[] = [];
    for (const step of [
      () => faulty?.stop(),
      () => gateway?.stop('SIGTERM'),
      () => pipeline?.cleanup(),
    ]) {
      await within(60_000, 'clean-up step', Promise.resolve(step())).catch((e) => failures.push(e));
    }
    if (failures.length > 0) throw failures[0];
  });

  it('list exactly the metrics the gateway serves on /metrics', async () => {
    const gw = gateway as GatewayProcess;
    const other = (faulty as FaultyGateway).gateway;
    await driveEveryMetric(pipeline, gw, other);
    const served = new Set<string>();
    for (const g of [gw, other]) {
      const response = await fetch(`${g.url}/metrics`);
      for (const name of servedMetricNames(await response.text())) served.add(name);
    }
    const listed = readmeMetricNames();
    const unscrapable = new Set(UNSCRAPABLE_METRICS.map((m) => m.name));
    const servedNotListed = [...served].filter((n) => !listed.has(n)).sort();
    const listedNotServed = [...listed].filter((n) => !served.has(n) && !unscrapable.has(n)).sort();
    assert.deepEqual(
      { servedNotListed, listedNotServed },
      { servedNotListed: [], listedNotServed: [] },
    );
    // The ones no scrape sees are still declared by the code, and listed.
    const sources = compiledSources();
    for (const name of unscrapable) {
      if (!listed.has(name)) continue;
      assert.ok(sources.includes(`'${name.replace(/_total$/, '')}'`), `${name} declared in src/`);
    }
  });
});
