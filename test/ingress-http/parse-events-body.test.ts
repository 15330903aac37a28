import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEventsBody } from '../../src/ingress-http/parse-events-body.js';

describe('parseEventsBody (SPEC §3)', () => {
  it('takes one object, an array, or an events envelope', () => {
    const one = parseEventsBody('application/json', '{"a":1}');
    assert.ok(one.ok && one.items.length === 1);
    const list = parseEventsBody('application/json; charset=utf-8', '[{"a":1},{"a":2}]');
    assert.ok(list.ok && list.items.length === 2);
    const envelope = parseEventsBody('application/json', '{"events":[{"a":1},{"a":2},{"a":3}]}');
    assert.ok(envelope.ok && envelope.items.length === 3);
  });

  it('answers 400 for a JSON body that is not JSON and 415 for other types', () => {
    assert.deepEqual(parseEventsBody('application/json', '{nope').ok, false);
    const bad = parseEventsBody('application/json', '{nope');
    assert.ok(!bad.ok && bad.status === 400);
    const type = parseEventsBody('text/plain', '{}');
    assert.ok(!type.ok && type.status === 415);
    const none = parseEventsBody(undefined, '{}');
    assert.ok(!none.ok && none.status === 415);
  });

  it('splits NDJSON, skipping blank lines and rejecting a bad line alone', () => {
    const parsed = parseEventsBody('application/x-ndjson', '{"a":1}\n\n{bad\n{"a":3}\n');
    assert.ok(parsed.ok);
    assert.equal(parsed.items.length, 3);
    assert.equal(parsed.items[1]?.ok, false);
    assert.equal(parsed.items[2]?.ok, true);
  });

  it("keeps each NDJSON line's own text, which goes to Kafka as it came", () => {
    const parsed = parseEventsBody('application/x-ndjson', '{"a": 1}\r\n{"b":2}');
    assert.ok(parsed.ok);
    assert.deepEqual(
      parsed.items.map((i) => (i.ok ? i.text : undefined)),
      ['{"a": 1}', '{"b":2}'],
    );
    const json = parseEventsBody('application/json', '[{"a": 1}]');
    assert.ok(json.ok && json.items[0]?.ok && json.items[0].text === undefined);
  });
});
