import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  freePort,
  type GatewayProcess,
  startGatewayProcess,
} from '../../testkit/gateway-process.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import {
  createObservedTopics,
  driveEveryMetric,
  type FaultyGateway,
  produceDeadLetters,
  startFaultyGateway,
  trafficEnv,
} from '../support/drive-every-metric.js';
import { ALERT_RULES, DASHBOARD, UNSCRAPABLE_METRICS } from '../support/observability.js';
import { createTestPipeline, type TestPipeline } from '../support/pipeline.js';
import { type PrometheusServer, startPrometheus } from '../support/prometheus-server.js';

// Issue 12: the alert rules and the dashboard checked against a real
// Prometheus (Debian's, scripts/ensure-prometheus.sh) scraping real
// gateways every second: every expression parses and returns series (no
// panel or rule on a metric that does not exist), and more than 5 dead
// letters a minute put AdgateDeadLettersHigh in pending or firing.

interface DashboardPanel {
  title?: string;
  targets?: { expr?: string }[];
}

/** The dashboard's queries with Grafana's variables as Grafana would fill them in. */
function dashboardQueries(): { what: string; expr: string }[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    panels: DashboardPanel[];
    templating: { list: { name: string; type: string; query?: { query?: string } }[] };
  };
  const fill = (expr: string) =>
    expr
      .replaceAll('$__rate_interval', '30s')
      .replaceAll('$job', 'adgate')
      .replaceAll('$instance', '.*');
  const queries = dashboard.panels.flatMap((p) =>
    (p.targets ?? []).map((t, i) => ({
      what: `panel "${p.title}" #${i}`,
      expr: fill(t.expr ?? ''),
    })),
  );
  for (const v of dashboard.templating.list) {
    const labelValues = /^label_values\((.+),\s*(\w+)\)$/.exec(v.query?.query ?? '');
    if (v.type !== 'query') continue;
    assert.ok(labelValues, `variable ${v.name}: a label_values() query`);
    queries.push({
      what: `variable ${v.name}`,
      expr: fill(`count by (${labelValues[2]}) (${labelValues[1]})`),
    });
  }
  return queries;
}

/** The series selectors of a rule's expression (metric names with their matchers). */
function selectorsOf(expr: string): string[] {
  return [...expr.matchAll(/\b(adgate_[a-z0-9_]+|up)(\{[^}]*\})?/g)].map((m) => m[0]);
}

/** The dashboard's queries that do not parse or return no series. */
async function panelFailures(prom: PrometheusServer): Promise<string[]> {
  const failures: string[] = [];
  for (const q of dashboardQueries()) {
    const series = await prom.query(q.expr).catch((e: Error) => {
      failures.push(`${q.what}: ${e.message}`);
      return undefined;
    });
    if (series !== undefined && series.length === 0)
      failures.push(`${q.what}: no series: ${q.expr}`);
  }
  return failures;
}

const unscrapable = (expr: string) => UNSCRAPABLE_METRICS.some((m) => expr.includes(m.name));

describe('a real Prometheus scraping real gateways, with the alert rules loaded', () => {
  let pipeline: TestPipeline;
  let gateway: GatewayProcess | undefined;
  let faulty: FaultyGateway | undefined;
  let prometheus: PrometheusServer | undefined;

  before(async () => {
    pipeline = await createTestPipeline({ partitions: 3 });
    await createObservedTopics(pipeline, 3);
    // Scraped on its metrics port, as the README and deploy/ advise (the
    // faulty gateway on its one port: both serve the same /metrics).
    const metricsPort = await freePort();
    gateway = await startGatewayProcess({
      ...pipeline.env,
      ...trafficEnv(),
      ADGATE_METRICS_PORT: String(metricsPort),
    });
    faulty = await startFaultyGateway(pipeline);
    prometheus = await startPrometheus({
      targets: [`127.0.0.1:${metricsPort}`, `127.0.0.1:${faulty.gateway.port}`],
      ruleFiles: [ALERT_RULES],
    });
  });
  after(async () => {
    const steps = [
      () => prometheus?.stop(30_000),
      () => faulty?.stop(),
      () => gateway?.stop('SIGTERM'),
      () => pipeline?.cleanup(),
    ];
    const failures: unknown[] = [];
    for (const step of steps) {
      await within(60_000, 'clean-up step', Promise.resolve(step())).catch((e) => failures.push(e));
    }
    if (failures.length > 0) throw failures[0];
  });

  it('evaluates every rule and panel to series, and AdgateDeadLettersHigh goes pending past 5 dead letters a minute', async () => {
    const prom = prometheus as PrometheusServer;
    const gw = gateway as GatewayProcess;
    await driveEveryMetric(pipeline, gw, (faulty as FaultyGateway).gateway);
    // The dead-letter counter must be in Prometheus before the burst: a
    // counter's first sample is its baseline, not an increase.
    await waitFor('adgate_dlq_messages_total in Prometheus', async () => {
      return (await prom.query('adgate_dlq_messages_total')).length > 0;
    });
    await produceDeadLetters(pipeline, 60);

    const alert = await waitFor(
      'AdgateDeadLettersHigh pending or firing',
      async () => {
        const rule = (await prom.rules()).find((r) => r.name === 'AdgateDeadLettersHigh');
        return rule?.state === 'pending' || rule?.state === 'firing' ? rule : undefined;
      },
      90_000,
      500,
    );
    assert.ok(alert);

    // Every panel and variable returns series, once a few scrapes cover the
    // traffic: asked again (for up to 30 s) while any has none, since a
    // scrape that timed out on the busy machine leaves a gap in a rate window.
    let failures: string[] = [];
    await waitFor(
      'every panel and variable to return series',
      async () => {
        failures = await panelFailures(prom);
        return failures.length === 0;
      },
      30_000,
      1_000,
    ).catch(() => undefined);
    // Every rule was evaluated without error, and each series it reads exists
    // (a rule's whole expression is empty while it does not fire).
    const rules = await prom.rules();
    assert.equal(rules.length, (readFileSync(ALERT_RULES, 'utf8').match(/- alert:/g) ?? []).length);
    for (const rule of rules) {
      if (rule.health !== 'ok')
        failures.push(`rule ${rule.name}: ${rule.health} ${rule.lastError ?? ''}`);
      await prom
        .query(rule.query)
        .catch((e: Error) => failures.push(`rule ${rule.name}: ${e.message}`));
      for (const selector of selectorsOf(rule.query)) {
        if (unscrapable(selector)) continue;
        const series = await prom.query(selector);
        if (series.length === 0) failures.push(`rule ${rule.name}: no series for ${selector}`);
      }
    }
    assert.deepEqual(
      failures,
      [],
      `${failures.join('\n')}\n--- gateway ---\n${gw.output().slice(-3000)}`,
    );
  });
});
