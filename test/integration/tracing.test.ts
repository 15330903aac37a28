import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type GatewayProcess, startGatewayProcess } from '../../testkit/gateway-process.js';
import { type OtlpReceiver, startOtlpReceiver } from '../../testkit/otlp-receiver.js';
import { waitFor } from '../../testkit/wait-for.js';
import { impression, postEvents } from '../support/events.js';
import { createTestPipeline, readTopic, type TestPipeline } from '../support/pipeline.js';

describe('tracing (ADGATE_OTLP_TRACES_URL)', () => {
  let pipeline: TestPipeline;
  let gateway: GatewayProcess | undefined;
  let collector: OtlpReceiver;

  before(async () => {
    pipeline = await createTestPipeline();
    // It records what the exporter sends.
    collector = await startOtlpReceiver({ keepBodies: true });
    gateway = await startGatewayProcess({
      ...pipeline.env,
      ADGATE_OTLP_TRACES_URL: collector.url,
    });
  });
  after(async () => {
    await gateway?.stop('SIGKILL').catch(() => undefined);
    await collector?.close();
    await pipeline?.cleanup();
  });

  it('exports one trace from the HTTP request through Kafka to the COPY (SPEC §4)', async () => {
    const res = await postEvents(
      (gateway as GatewayProcess).url,
      impression(`imp-trace-${Date.now()}`),
    );
    assert.equal(res.status, 202);
    await waitFor('the event committed', async () => (await pipeline.committedTotal()) === 1n);
    const [message] = await readTopic(pipeline, pipeline.topic, 1);
    const exit = await (gateway as GatewayProcess).stop('SIGTERM');
    assert.deepEqual(exit, { code: 0, signal: null });

    const spans = collector.bodies().flatMap(spansOf);
    const one = (name: string) => {
      const found = spans.filter((s) => s.name === name);
      assert.equal(
        found.length,
        1,
        `one span named ${name}: ${spans.map((s) => s.name).join(', ')}`,
      );
      return found[0] as OtlpSpan;
    };
    const server = one('POST /v1/events');
    const producer = one(`publish ${pipeline.topic}`);
    const consumer = one(`process ${pipeline.topic}`);
    assert.equal(server.kind, SPAN_KIND.server);
    assert.equal(producer.kind, SPAN_KIND.producer);
    assert.equal(producer.parentSpanId, server.spanId, 'publish is a child of the request');
    assert.equal(producer.traceId, server.traceId);
    // The message carries the PRODUCER span's context in its traceparent header.
    const traceparent = message?.headers.traceparent;
    assert.equal(traceparent, `00-${producer.traceId}-${producer.spanId}-01`);
    assert.equal(consumer.kind, SPAN_KIND.consumer);
    assert.ok(
      (consumer.links ?? []).some(
        (l) => l.traceId === producer.traceId && l.spanId === producer.spanId,
      ),
      'the CONSUMER span links to the PRODUCER span of the request that carried the event',
    );
    const attributes = Object.fromEntries(
      (consumer.attributes ?? []).map((a) => [a.key, a.value.stringValue ?? a.value.intValue]),
    );
    assert.equal(attributes['messaging.system'], 'kafka');
    assert.equal(attributes['messaging.destination.name'], pipeline.topic);
    assert.equal(attributes['messaging.consumer.group.name'], pipeline.group);
    assert.equal(String(attributes['messaging.batch.message_count']), '1');
    for (const name of ['redis lookup', 'postgres write', 'redis mark']) {
      assert.equal(one(name).parentSpanId, consumer.spanId, `${name} is a child of the flush`);
    }
  });
});

const SPAN_KIND = { server: 2, producer: 4, consumer: 5 } as const;

interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  readonly links?: { traceId: string; spanId: string }[];
  readonly attributes?: { key: string; value: { stringValue?: string; intValue?: string } }[];
}

/** The spans of one OTLP/HTTP JSON export request. */
function spansOf(body: string): OtlpSpan[] {
  const json = JSON.parse(body) as {
    resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[];
  };
  return (json.resourceSpans ?? []).flatMap((r) =>
    (r.scopeSpans ?? []).flatMap((s) => s.spans ?? []),
  );
}
