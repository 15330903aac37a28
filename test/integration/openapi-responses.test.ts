import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import { loadConfig } from '../../src/config/load-config.js';
import { createApp } from '../../src/ingress-http/create-app.js';
import { createProducer } from '../../src/kafka/create-producer.js';
import { ensureTopics } from '../../src/kafka/ensure-topics.js';
import {
  type PartitionPositionReader,
  readPartitionPositions,
} from '../../src/kafka/read-partition-positions.js';
import type { Producer } from '../../src/kafka/types.js';
import { Lifecycle } from '../../src/lifecycle/lifecycle-state.js';
import { ROUTES } from '../../src/openapi/build-openapi-document.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { createMetrics, type Metrics } from '../../src/telemetry/metrics.js';
import { within } from '../../testkit/wait-for.js';
import { DEV_KEY, impression } from '../support/events.js';
import { createTestPipeline, type TestPipeline } from '../support/pipeline.js';

// SPEC §3: GET /openapi.json is the document of this API. Every answer a
// route really gives (status and body) must be one the document declares:
// each body is parsed with the zod schema the document was generated from
// (strict objects: an undeclared field fails too).

const HOUR_MS = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('real answers of every route match the OpenAPI document (SPEC §3)', () => {
  let pipeline: TestPipeline;
  let producer: Producer;
  let reader: PartitionPositionReader;
  let metrics: Metrics;
  let app: Hono;
  const seen = new Set<string>();
  const hour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 2 * HOUR_MS;
  const billing = { campaign_id: 'camp-1', from: iso(hour), to: iso(hour + HOUR_MS) };

  before(async () => {
    pipeline = await createTestPipeline();
    const config = loadConfig(pipeline.env);
    const log = createLogger('error');
    // kafkajs itself: only the Kafka parts under test are adgate's.
    const kafka = pipeline.kafka;
    const topicLimits = await ensureTopics(
      kafka,
      {
        ingest: config.ADGATE_TOPIC,
        deadLetters: [config.ADGATE_DLQ_TOPIC, config.ADGATE_DEAD_TOPIC],
        partitions: 2,
        replication: 1,
      },
      log,
    );
    producer = createProducer(kafka, log, { topicLimits });
    reader = readPartitionPositions(kafka, config.ADGATE_TOPIC);
    metrics = createMetrics();
    const lifecycle = new Lifecycle();
    lifecycle.moveTo('ready');
    app = createApp({
      config,
      producer,
      pool: pipeline.db.pool,
      lifecycle,
      metrics,
      log,
      requestDrain: () => undefined,
      ingestLog: reader,
    });
  });
  after(async () => {
    try {
      await within(30_000, 'producer close', producer?.close() ?? Promise.resolve());
      await within(30_000, 'reader close', reader?.close() ?? Promise.resolve());
      await within(30_000, 'metrics shutdown', metrics?.shutdown() ?? Promise.resolve());
    } finally {
      if (pipeline) await within(60_000, 'pipeline cleanup', pipeline.cleanup());
    }
  });

  /** Sends one request and checks its answer against the document's entry for it. */
  async function check(
    method: 'get' | 'post',
    path: string,
    expectedStatus: number,
    init: {
      query?: Record<string, string>;
      body?: string;
      type?: string;
      key?: string | null;
    } = {},
  ): Promise<unknown> {
    const url = new URL(path, 'http://adgate.test');
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = {};
    if (init.key !== null) headers.authorization = `Bearer ${init.key ?? DEV_KEY}`;
    if (init.type !== undefined) headers['content-type'] = init.type;
    const res = await app.request(url, { method: method.toUpperCase(), headers, body: init.body });
    const text = await res.text();
    assert.equal(res.status, expectedStatus, `${method} ${path}: ${text}`);
    const declared = ROUTES[path]?.[method]?.responses[res.status];
    assert.ok(declared !== undefined, `${method} ${path} ${res.status} is not in the document`);
    seen.add(`${method} ${path}`);
    if (declared === 'text') {
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      return text;
    }
    const body: unknown = JSON.parse(text);
    if (declared === 'json') return body;
    const parsed = declared.schema.safeParse(body);
    assert.ok(parsed.success, `${method} ${path} ${res.status}: ${parsed.error} in ${text}`);
    return body;
  }

  it('POST /v1/events', async () => {
    const json = 'application/json';
    await check('post', '/v1/events', 202, {
      type: json,
      body: JSON.stringify([impression('oa-1', { occurred_at: iso(hour + 60_000) }), { x: 1 }]),
    });
    await check('post', '/v1/events', 422, { type: json, body: JSON.stringify([{ x: 1 }]) });
    await check('post', '/v1/events', 400, { type: json, body: '[]' });
    await check('post', '/v1/events', 415, { type: 'text/plain', body: 'x' });
    await check('post', '/v1/events', 401, { type: json, body: '[]', key: null });
  });

  it('the billing and reconciliation routes', async () => {
    for (const path of ['/v1/billing/hourly', '/v1/billing/daily']) {
      const daily = path.endsWith('daily');
      const range = daily
        ? { ...billing, from: iso(Math.floor(hour / 86_400_000) * 86_400_000) }
        : billing;
      await check('get', path, 200, {
        query: daily ? { ...range, to: iso(Date.parse(range.from) + 86_400_000) } : range,
      });
      await check('get', path, 400, { query: { ...billing, from: 'yesterday' } });
      await check('get', path, 401, { query: billing, key: null });
    }
    await check('get', '/v1/billing/changes', 200, {
      query: { campaign_id: 'camp-1', since: iso(hour) },
    });
    await check('get', '/v1/billing/changes', 400, { query: { campaign_id: 'camp-1' } });
    await check('get', '/v1/billing/watermark', 200);
    await check('get', '/v1/reconciliation/orphans', 200, { query: billing });
    await check('get', '/v1/reconciliation/orphans', 400, { query: { campaign_id: 'camp-1' } });
  });

  it('the operational routes, and /openapi.json is the committed document', async () => {
    await check('get', '/healthz', 200);
    await check('get', '/readyz', 200);
    await check('get', '/metrics', 200);
    await check('post', '/admin/drain', 403); // the development key has no admin scope
    const served = await check('get', '/openapi.json', 200, { key: null });
    const committed: unknown = JSON.parse(
      readFileSync(new URL('../../../docs/openapi.json', import.meta.url), 'utf8'),
    );
    assert.deepEqual(served, committed);
  });

  it('every documented route was exercised', () => {
    const documented = Object.entries(ROUTES).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path}`),
    );
    assert.deepEqual([...seen].sort(), documented.sort());
  });
});
