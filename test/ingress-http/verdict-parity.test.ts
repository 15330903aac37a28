import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { loadConfig } from '../../src/config/load-config.js';
import { type AdEvent, eventSchema } from '../../src/event/event-schema.js';
import { fastParse } from '../../src/event/fast-parse.js';
import { idempotencyKey } from '../../src/event/idempotency-key.js';
import { createRequestGuard } from '../../src/ingress-http/guard-requests.js';
import { createPostEventsHandler } from '../../src/ingress-http/post-events.js';
import type { InboundMessage, OutboundMessage, Producer } from '../../src/kafka/types.js';
import { Lifecycle } from '../../src/lifecycle/lifecycle-state.js';
import { decodeMessage } from '../../src/sink/decode-message.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { createMetrics } from '../../src/telemetry/metrics.js';
import { createRandom } from '../../testkit/stream/stream-events.js';

// SPEC §1/§3: one rule at both ingresses. For generated requests full of
// mutations (NULs, lone surrogates, __proto__ keys, padding, bytes that are
// not UTF-8, wrong types, unknown fields), each item's HTTP verdict is what
// an oracle built from the mutations predicts, and is what the sink says
// of the bytes the HTTP ingress forwards (or would forward); an accepted
// event decodes in the sink to the same key and the same normalised event.

const SEED = 90_001;
const REQUESTS = 300;
const MAX_EVENT_BYTES = 4096;
const DAY_MS = 86_400_000;
const SOURCE = 'dev'; // the development key's source (SPEC §6)

type Reason = 'ok' | 'unparsable' | 'invalid' | 'too_large';

interface Item {
  /** The bytes as they appear in the request (an NDJSON line, or a JSON-body element). */
  readonly text: Buffer;
  /** What the gateway forwards for it: the NDJSON line, or JSON.stringify of the element. */
  readonly forwarded: Buffer;
  readonly expected: Reason;
  readonly mutations: readonly string[];
  /** The normalised event, for the items expected to be accepted. */
  readonly event?: AdEvent;
}

type Random = () => number;
const pick = <T>(random: Random, list: readonly T[]): T =>
  list[Math.floor(random() * list.length)] as T;
// By code point: a surrogate pair is one character, never split.
const CHARS = [...'aZ9 é€\u{1F600}"\\\t\n\u0001\uFFFF'];
const text = (random: Random, max: number) =>
  Array.from({ length: 1 + Math.floor(random() * max) }, () => pick(random, CHARS)).join('');

/** Mutations of the event object, each with the verdict it forces on its own. */
const OBJECT_MUTATIONS: Record<string, [Reason, (e: Draft, r: Random) => void]> = {
  'nul-value': ['invalid', (e) => e.attributes.push(['k', 'a\u0000b'])],
  'nul-key': ['invalid', (e) => e.attributes.push(['k\u0000', 'v'])],
  'lone-high-value': ['invalid', (e) => e.attributes.push(['s', 'x\ud800'])],
  'lone-low-key': ['invalid', (e) => e.attributes.push(['\udfffk', 'v'])],
  'proto-string': ['ok', (e) => e.attributes.push(['__proto__', 'x'])],
  'constructor-string': ['ok', (e) => e.attributes.push(['constructor', 'y'])],
  'proto-number': ['invalid', (e) => e.attributes.push(['__proto__', 5])],
  'proto-object': ['invalid', (e) => e.attributes.push(['__proto__', { a: 'b' }])],
  'proto-long': ['invalid', (e) => e.attributes.push(['__proto__', 'v'.repeat(257)])],
  'constructor-null': ['invalid', (e) => e.attributes.push(['constructor', null])],
  'top-proto': ['invalid', (e) => Object.defineProperty(e.fields, '__proto__', own({}))],
  'unknown-field': ['invalid', (e) => Object.assign(e.fields, { cost_mircos: 5 })],
  'money-float': ['invalid', (e) => Object.assign(e.fields, { cost_micros: 1.5 })],
  'money-string': ['invalid', (e) => Object.assign(e.fields, { revenue_micros: '100' })],
  'money-negative': ['invalid', (e) => Object.assign(e.fields, { cost_micros: -1 })],
  'bad-type': ['invalid', (e) => Object.assign(e.fields, { type: 'view' })],
  'missing-field': ['invalid', (e) => delete e.fields.campaign_id],
  'out-of-window': [
    'invalid',
    (e) =>
      Object.assign(e.fields, { occurred_at: new Date(Date.now() - 8 * DAY_MS).toISOString() }),
  ],
  'bad-timestamp': [
    'invalid',
    (e) => Object.assign(e.fields, { occurred_at: '2026-02-30T00:00:00Z' }),
  ],
  'attributes-array': ['invalid', (e) => Object.assign(e, { attributesAs: [['k', 'v']] })],
  // Valid, but over ADGATE_MAX_EVENT_BYTES once serialised: \u0001 takes 6 bytes.
  big: [
    'ok',
    (e, r) => {
      const count = 1 + Math.floor(r() * 4);
      for (let i = 0; i < count; i += 1) e.attributes.push([`big${i}`, '\u0001'.repeat(256)]);
    },
  ],
};
const own = (value: unknown): PropertyDescriptor => ({ value, enumerable: true, writable: true });

interface Draft {
  fields: Record<string, unknown>;
  attributes: [string, unknown][];
  /** Sent in place of the attributes object. */
  attributesAs?: unknown;
}

function baseDraft(random: Random, id: string): Draft {
  const type = pick(random, ['impression', 'click', 'conversion'] as const);
  const ms = Date.now() - 60_000 - Math.floor(random() * 6 * DAY_MS);
  // Sometimes with an offset, which the gateway normalises (SPEC §2).
  const occurredAt =
    random() < 0.3
      ? `${new Date(ms + 3_600_000).toISOString().slice(0, -1)}+01:00`
      : new Date(ms).toISOString();
  const fields: Record<string, unknown> = {
    type,
    impression_id: id,
    occurred_at: occurredAt,
    campaign_id: `camp-${Math.floor(random() * 5)}`,
    ad_id: 'ad-1',
    publisher_id: 'pub-1',
  };
  if (type === 'conversion') fields.conversion_id = `conv-${id}`;
  if (random() < 0.5) fields.cost_micros = Math.floor(random() * 1e9);
  if (random() < 0.2) fields.currency = 'EUR';
  const attributes: [string, unknown][] = [];
  const n = Math.floor(random() * 4);
  for (let i = 0; i < n; i += 1) attributes.push([`a${i}${text(random, 3)}`, text(random, 20)]);
  return { fields, attributes };
}

/** The event as the gateway should store it: defaults applied, occurred_at normalised. */
function normalised(draft: Draft): AdEvent {
  const ms = Date.parse(draft.fields.occurred_at as string);
  const event: Record<string, unknown> = {
    cost_micros: 0,
    revenue_micros: 0,
    currency: 'USD',
    ...draft.fields,
    occurred_at: new Date(ms).toISOString(),
    occurredAtMs: ms,
  };
  if (draft.attributes.length > 0) event.attributes = Object.fromEntries(draft.attributes);
  return event as unknown as AdEvent;
}

function serialise(draft: Draft): string {
  // A spread defines own properties: a top-level __proto__ stays a key.
  const object: Record<string, unknown> = { ...draft.fields };
  if (draft.attributesAs !== undefined) object.attributes = draft.attributesAs;
  else if (draft.attributes.length > 0) object.attributes = Object.fromEntries(draft.attributes);
  return JSON.stringify(object);
}

const BAD_UTF8 = [
  [0xff],
  [0xc3],
  [0xc3, 0x28],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
];
const MARKER = Buffer.from('\uE000'); // in no generated text but this one

/**
 * Up to three distinct object mutations, at most one per attribute key
 * (`__proto__: "x"` after `__proto__: 5` would leave a valid event).
 */
function pickMutations(random: Random): string[] {
  const names = Object.keys(OBJECT_MUTATIONS);
  const chosen: string[] = [];
  const count = random() < 0.35 ? 0 : 1 + Math.floor(random() * 3);
  const group = (name: string) => /^(proto|constructor)-/.exec(name)?.[1] ?? name;
  for (let i = 0; i < count; i += 1) {
    const name = pick(random, names);
    if (!chosen.some((c) => group(c) === group(name))) chosen.push(name);
  }
  return chosen;
}

/** One item: object mutations, then at most one byte-level one, then padding (NDJSON). */
function generateItem(random: Random, id: string, ndjson: boolean, huge: boolean): Item {
  const draft = baseDraft(random, id);
  const mutations = pickMutations(random);
  let invalid = false;
  for (const name of mutations) {
    const [reason, apply] = OBJECT_MUTATIONS[name] as [Reason, (e: Draft, r: Random) => void];
    apply(draft, random);
    if (reason === 'invalid') invalid = true;
  }
  const byteLevel = ndjson
    ? pick(random, ['none', 'none', 'bad-utf8', 'truncate', 'not-object'])
    : pick(random, ['none', 'none', 'none', 'not-object']);
  if (byteLevel === 'bad-utf8') draft.attributes.push(['utf8', 'a\uE000b']);
  let json = serialise(draft);
  if (byteLevel === 'not-object') json = pick(random, [`[${json}]`, '"an event"', '42', 'null']);
  if (byteLevel === 'truncate') json = json.slice(0, 1 + Math.floor(random() * (json.length - 2)));
  let bytes = Buffer.from(json);
  if (byteLevel === 'bad-utf8') {
    const at = bytes.indexOf(MARKER);
    bytes = Buffer.concat([
      bytes.subarray(0, at),
      Buffer.from(pick(random, BAD_UTF8)),
      bytes.subarray(at + MARKER.length),
    ]);
  }
  if (byteLevel !== 'none') mutations.push(byteLevel);
  if (random() < 0.25) {
    // Whitespace around the event: part of an NDJSON line's bytes, gone from a JSON-body event.
    const room = MAX_EVENT_BYTES - bytes.length;
    const pad =
      huge && random() < 0.2 ? 2 * 1024 * 1024 : Math.max(0, room + Math.floor(random() * 80) - 40);
    const before = Math.floor(random() * pad);
    bytes = Buffer.concat([
      Buffer.from(' '.repeat(before)),
      bytes,
      Buffer.from('\t '.repeat((pad - before) >> 1)),
    ]);
    mutations.push(`pad${pad}`);
  }
  const forwarded = ndjson ? bytes : Buffer.from(JSON.stringify(JSON.parse(bytes.toString())));
  // The oracle, in SPEC §1's order: size, UTF-8, JSON, then the schema.
  let expected: Reason = 'ok';
  if (forwarded.length > MAX_EVENT_BYTES) expected = 'too_large';
  else if (byteLevel === 'bad-utf8' || byteLevel === 'truncate') expected = 'unparsable';
  else if (invalid || byteLevel === 'not-object') expected = 'invalid';
  const item = { text: bytes, forwarded, expected, mutations };
  return expected === 'ok' ? { ...item, event: normalised(draft) } : item;
}

interface Request {
  readonly contentType: string;
  readonly body: Buffer;
  readonly items: readonly Item[];
}

function generateRequest(random: Random, n: number): Request {
  const ndjson = random() < 0.6;
  const items = Array.from({ length: 1 + Math.floor(random() * 6) }, (_, i) =>
    // One 2 MB padding at most, so that the body stays under 5 MiB.
    generateItem(random, `imp-${n}-${i}`, ndjson, i === 0),
  );
  if (ndjson) {
    const parts: Buffer[] = [];
    for (const item of items) {
      if (random() < 0.1) parts.push(Buffer.from(pick(random, ['\n', '  \n', '\r\n'])));
      parts.push(item.text, Buffer.from(random() < 0.3 ? '\r\n' : '\n'));
    }
    return { contentType: 'application/x-ndjson', body: Buffer.concat(parts), items };
  }
  const elements = items.map((i) => i.text);
  const list = Buffer.concat([
    Buffer.from('[ '),
    ...elements.flatMap((e, i) => (i === 0 ? [e] : [Buffer.from(',\n'), e])),
    Buffer.from(' ]'),
  ]);
  const single = items.length === 1 && items[0]?.text.toString().trimStart().startsWith('{');
  const envelope = Buffer.concat([Buffer.from('{"events":'), list, Buffer.from('}')]);
  const body =
    single && random() < 0.5 ? (items[0] as Item).text : random() < 0.3 ? envelope : list;
  return { contentType: 'application/json', body, items };
}

function createHarness() {
  const sent: OutboundMessage[] = [];
  const producer: Producer = {
    send: async (_topic, messages) => {
      sent.push(...messages);
    },
    close: async () => undefined,
    maxRecordBytes: () => undefined,
  };
  const config = loadConfig({ ADGATE_MAX_EVENT_BYTES: String(MAX_EVENT_BYTES) });
  const lifecycle = new Lifecycle();
  lifecycle.moveTo('ready');
  const metrics = createMetrics();
  const log = createLogger('error', {}, () => undefined);
  const app = new Hono().post(
    '/v1/events',
    createPostEventsHandler({
      config,
      producer,
      lifecycle,
      metrics,
      log,
      guard: createRequestGuard(config, metrics),
    }),
  );
  return {
    app,
    sent,
    metrics,
    rules: {
      window: { pastMs: config.ADGATE_ACCEPT_PAST_MS, futureMs: config.ADGATE_ACCEPT_FUTURE_MS },
      maxEventBytes: MAX_EVENT_BYTES,
    },
  };
}

/**
 * validateEvent's fast path (src/event/fast-parse.ts) on the item's JSON:
 * whatever it vouches for, zod accepts with the same output. True when it
 * vouched.
 */
function fastAgreesWithZod(forwarded: Buffer, what: string): boolean {
  let json: unknown;
  try {
    json = JSON.parse(forwarded.toString('utf8'));
  } catch {
    return false;
  }
  const fast = fastParse(json);
  if (fast === undefined) return false;
  const zod = eventSchema.safeParse(json);
  assert.ok(zod.success, `${what}: the fast path vouched for what zod refuses`);
  assert.deepEqual(fast, zod.data, `${what}: fast path and zod output the same`);
  assert.deepEqual(Object.keys(fast), Object.keys(zod.data), `${what}: keys in zod's order`);
  return true;
}

/** What the sink makes of bytes that reached Kafka at `timestampMs`. */
function sinkVerdict(
  value: Buffer,
  timestampMs: number,
  rules: Parameters<typeof decodeMessage>[1],
) {
  const message: InboundMessage = {
    topic: 'ad-events',
    partition: 0,
    offset: 0n,
    key: null,
    value,
    headers: { 'adgate-source': Buffer.from(SOURCE) },
    timestampMs,
  };
  return decodeMessage(message, rules);
}

describe('one rule at both ingresses: HTTP verdict = sink verdict (property, SPEC §1)', () => {
  it(`holds for ${REQUESTS} generated requests (seed ${SEED})`, async () => {
    const random = createRandom(SEED);
    const { app, sent, metrics, rules } = createHarness();
    const seen = new Map<Reason, number>();
    let fast = 0;
    try {
      for (let n = 0; n < REQUESTS; n += 1) {
        const request = generateRequest(random, n);
        const what = (i: number) =>
          `request ${n} item ${i} (${request.contentType}; ${request.items[i]?.mutations.join(', ') || 'no mutation'})`;
        sent.length = 0;
        const receivedFrom = Date.now();
        const response = await app.request('/v1/events', {
          method: 'POST',
          headers: { authorization: 'Bearer dev-key', 'content-type': request.contentType },
          body: request.body,
        });
        const body = (await response.json()) as {
          accepted: number;
          rejected: { index: number; reason: Reason; issues: unknown[] }[];
        };
        const expectedAccepted = request.items.filter((i) => i.expected === 'ok').length;
        assert.equal(
          response.status,
          expectedAccepted > 0 ? 202 : 422,
          `request ${n}: ${JSON.stringify(body)}`,
        );
        assert.equal(body.accepted, expectedAccepted, `request ${n}`);
        assert.equal(sent.length, expectedAccepted, `request ${n}: messages forwarded`);
        const rejected = new Map(body.rejected.map((r) => [r.index, r]));
        let next = 0; // forwarded messages keep the request's order
        for (const [i, item] of request.items.entries()) {
          seen.set(item.expected, (seen.get(item.expected) ?? 0) + 1);
          if (fastAgreesWithZod(item.forwarded, what(i))) fast += 1;
          const http: Reason = rejected.get(i)?.reason ?? 'ok';
          assert.equal(http, item.expected, `${what(i)}: HTTP verdict`);
          if (http !== 'ok') {
            assert.ok((rejected.get(i)?.issues.length ?? 0) > 0, `${what(i)}: issues given`);
            const sink = sinkVerdict(item.forwarded, receivedFrom, rules);
            assert.equal(
              sink.kind === 'event' ? 'ok' : sink.reason,
              http,
              `${what(i)}: sink verdict`,
            );
            continue;
          }
          const message = sent[next] as OutboundMessage;
          next += 1;
          const value = Buffer.from(message.value ?? '');
          assert.ok(value.equals(item.forwarded), `${what(i)}: the bytes forwarded`);
          assert.equal(message.key, item.event?.impression_id, `${what(i)}: Kafka key`);
          const sink = sinkVerdict(value, message.timestampMs ?? Number.NaN, rules);
          assert.equal(sink.kind, 'event', `${what(i)}: the sink accepts what got a 202`);
          if (sink.kind !== 'event') continue;
          const expected = item.event as AdEvent;
          assert.deepEqual(sink.row.key, idempotencyKey(expected), `${what(i)}: idempotency key`);
          assert.deepEqual(
            JSON.parse(JSON.stringify(sink.row.event)),
            JSON.parse(JSON.stringify(expected)),
            `${what(i)}: the event`,
          );
          assert.deepEqual(
            Object.keys(sink.row.event.attributes ?? {}),
            Object.keys(expected.attributes ?? {}),
            `${what(i)}: every attribute kept`,
          );
          assert.equal(sink.row.source, SOURCE);
        }
      }
    } finally {
      await metrics.shutdown();
    }
    // validateEvent's fast path vouched for many of them, always as zod did.
    assert.ok(fast >= 20, `${fast} items on the fast path`);
    // The generator reached every verdict, often enough to mean something.
    for (const reason of ['ok', 'unparsable', 'invalid', 'too_large'] as const) {
      assert.ok((seen.get(reason) ?? 0) >= 20, `${reason}: ${seen.get(reason) ?? 0} items`);
    }
  });

  it('answers 400 for a JSON body that is not UTF-8, and forwards nothing', async () => {
    const { app, sent, metrics } = createHarness();
    try {
      const event = JSON.stringify(baseDraft(createRandom(1), 'imp-x').fields);
      const body = Buffer.concat([
        Buffer.from(`[${event},{"k":"`),
        Buffer.from([0xff]),
        Buffer.from('"}]'),
      ]);
      const response = await app.request('/v1/events', {
        method: 'POST',
        headers: { authorization: 'Bearer dev-key', 'content-type': 'application/json' },
        body,
      });
      assert.equal(response.status, 400);
      assert.match(((await response.json()) as { error: string }).error, /UTF-8/);
      assert.equal(sent.length, 0);
    } finally {
      await metrics.shutdown();
    }
  });
});
