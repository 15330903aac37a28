import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEventsBody } from '../../src/ingress-http/parse-events-body.js';
const parse = (contentType, body) => parseEventsBody(contentType, typeof body === 'string' ? Buffer.from(body) : body);
/** The items as text, or the failure. */
function texts(contentType, body) {
    const parsed = parse(contentType, body);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    return parsed.items.map((i) => i.toString('utf8'));
}
describe('parseEventsBody (SPEC §3)', () => {
    it('takes one object, an array, or an events envelope', () => {
        assert.deepEqual(texts('application/json', '{"a":1}'), ['{"a":1}']);
        assert.deepEqual(texts('application/json; charset=utf-8', '[{"a":1},{"a":2}]'), [
            '{"a":1}',
            '{"a":2}',
        ]);
        assert.equal(texts('application/json', '{"events":[{"a":1},{"a":2},{"a":3}]}').length, 3);
    });
    it('answers 400 for a JSON body that is not JSON and 415 for other types', () => {
        const bad = parse('application/json', '{nope');
        assert.ok(!bad.ok && bad.status === 400);
        const type = parse('text/plain', '{}');
        assert.ok(!type.ok && type.status === 415);
        const none = parse(undefined, '{}');
        assert.ok(!none.ok && none.status === 415);
    });
    it('answers 400 for a JSON body that is not UTF-8, instead of decoding it with U+FFFD', () => {
        const body = Buffer.concat([
            Buffer.from('[{"k":"'),
            Buffer.from([0xc3, 0x28]),
            Buffer.from('"}]'),
        ]);
        const parsed = parse('application/json', body);
        assert.ok(!parsed.ok && parsed.status === 400, JSON.stringify(parsed));
        assert.match(parsed.error, /UTF-8/);
    });
    it('forwards a JSON-body event as JSON.stringify gives it, every key kept', () => {
        assert.deepEqual(texts('application/json', '[ { "a" : 1 ,\n "__proto__": "x" } ]'), [
            '{"a":1,"__proto__":"x"}',
        ]);
    });
    it('splits NDJSON, skipping blank lines, each line as it came (without the \\r of CRLF)', () => {
        assert.deepEqual(texts('application/x-ndjson', '{"a": 1}\r\n\n  \t\r\n{bad\n {"a":3} \n'), [
            '{"a": 1}',
            '{bad',
            ' {"a":3} ',
        ]);
        assert.deepEqual(texts('application/x-ndjson', '{"b":2}'), ['{"b":2}']);
    });
    it('keeps an NDJSON line that is not UTF-8 as its own bytes, apart from the others', () => {
        const bad = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
        const parsed = parse('application/x-ndjson', Buffer.concat([Buffer.from('{"a":1}\n'), bad, Buffer.from('\n{"a":2}\n')]));
        assert.ok(parsed.ok);
        assert.equal(parsed.items.length, 3);
        assert.deepEqual(parsed.items[1], bad);
        assert.equal(parsed.items[2]?.toString(), '{"a":2}');
    });
});
//# sourceMappingURL=parse-events-body.test.js.map