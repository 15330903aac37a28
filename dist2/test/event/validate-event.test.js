import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateEvent } from '../../src/event/validate-event.js';
const NOW = Date.parse('2026-11-24T02:00:00Z');
const WINDOW = { pastMs: 7 * 86_400_000, futureMs: 300_000 };
const valid = {
    type: 'impression',
    impression_id: 'imp-1',
    occurred_at: '2026-11-24T01:00:00Z',
    campaign_id: 'c1',
    ad_id: 'a1',
    publisher_id: 'p1',
};
function issuesOf(event) {
    const result = validateEvent(event, NOW, WINDOW);
    assert.equal(result.ok, false, `expected ${JSON.stringify(event)} to be invalid`);
    return result.ok ? [] : result.issues.map((i) => i.path);
}
describe('validateEvent (SPEC §1)', () => {
    it('applies the defaults', () => {
        const result = validateEvent(valid, NOW, WINDOW);
        assert.ok(result.ok);
        assert.equal(result.event.cost_micros, 0);
        assert.equal(result.event.revenue_micros, 0);
        assert.equal(result.event.currency, 'USD');
        assert.equal(result.event.occurred_at, '2026-11-24T01:00:00.000Z');
    });
    it('rejects unknown fields, so a typo in a money field cannot vanish', () => {
        assert.ok(issuesOf({ ...valid, cost_micro: 5 }).length > 0);
    });
    it('rejects floats, strings and negatives in money fields', () => {
        assert.deepEqual(issuesOf({ ...valid, cost_micros: 1.5 }), ['cost_micros']);
        assert.deepEqual(issuesOf({ ...valid, cost_micros: '100' }), ['cost_micros']);
        assert.deepEqual(issuesOf({ ...valid, revenue_micros: -1 }), ['revenue_micros']);
        assert.deepEqual(issuesOf({ ...valid, cost_micros: 1e15 + 1 }), ['cost_micros']);
        assert.ok(validateEvent({ ...valid, cost_micros: 1e15 }, NOW, WINDOW).ok);
    });
    it('requires conversion_id on conversions and forbids it elsewhere', () => {
        assert.deepEqual(issuesOf({ ...valid, type: 'conversion' }), ['conversion_id']);
        assert.deepEqual(issuesOf({ ...valid, conversion_id: 'x' }), ['conversion_id']);
    });
    it('checks the identifier alphabet and lengths', () => {
        assert.deepEqual(issuesOf({ ...valid, impression_id: 'a b' }), ['impression_id']);
        assert.deepEqual(issuesOf({ ...valid, campaign_id: 'x'.repeat(65) }), ['campaign_id']);
        assert.deepEqual(issuesOf({ ...valid, impression_id: '' }), ['impression_id']);
        assert.ok(validateEvent({ ...valid, impression_id: 'A.b_c:d-1'.padEnd(128, 'x') }, NOW, WINDOW).ok);
    });
    it('checks currency and attributes', () => {
        assert.deepEqual(issuesOf({ ...valid, currency: 'usd' }), ['currency']);
        const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v']));
        assert.deepEqual(issuesOf({ ...valid, attributes: many }), ['attributes']);
        assert.ok(issuesOf({ ...valid, attributes: { k: 1 } }).length > 0);
        assert.ok(issuesOf({ ...valid, attributes: { k: 'v'.repeat(257) } }).length > 0);
    });
    it('enforces the acceptance window around the reference time', () => {
        assert.deepEqual(issuesOf({ ...valid, occurred_at: '2026-11-17T01:59:59Z' }), ['occurred_at']);
        assert.ok(validateEvent({ ...valid, occurred_at: '2026-11-17T02:00:00Z' }, NOW, WINDOW).ok);
        assert.ok(validateEvent({ ...valid, occurred_at: '2026-11-24T02:05:00Z' }, NOW, WINDOW).ok);
        assert.deepEqual(issuesOf({ ...valid, occurred_at: '2026-11-24T02:05:00.001Z' }), [
            'occurred_at',
        ]);
    });
    it('rejects things that are not objects', () => {
        for (const bad of [null, 42, 'x', [valid]])
            assert.ok(issuesOf(bad).length > 0);
    });
    it('refuses U+0000 and unpaired surrogates anywhere, keys included (SPEC §1: PostgreSQL refuses them)', () => {
        assert.deepEqual(issuesOf({ ...valid, attributes: { k: 'a\u0000b' } }), ['attributes.k']);
        assert.deepEqual(issuesOf({ ...valid, attributes: { 'k\u0000': 'v' } }), [
            'attributes.k\u0000',
        ]);
        assert.deepEqual(issuesOf({ ...valid, attributes: { k: 'x\ud800' } }), ['attributes.k']);
        assert.deepEqual(issuesOf({ ...valid, attributes: { k: '\udc00x' } }), ['attributes.k']);
        assert.deepEqual(issuesOf({ ...valid, attributes: { '\ud83d': 'v' } }), ['attributes.\ud83d']);
        // Parsed from JSON text, as both ingresses see it.
        const fromJson = JSON.parse(JSON.stringify({ ...valid, attributes: { a: 'ok' } }).replace('"ok"', '"\\u0000"'));
        assert.deepEqual(issuesOf(fromJson), ['attributes.a']);
        // An unknown field is refused already; its text is named as well.
        assert.ok(issuesOf({ ...valid, 'x\u0000': 1 }).includes('x\u0000'));
    });
    it('accepts every other character, a surrogate pair included', () => {
        const attributes = {
            emoji: '\u{1F600}\u{10FFFF}',
            ctrl: '\u0001\t\n\\',
            'é\u{1F600}': '\uFFFF',
        };
        const result = validateEvent({ ...valid, attributes }, NOW, WINDOW);
        assert.ok(result.ok, JSON.stringify(result));
        assert.deepEqual(result.event.attributes, attributes);
    });
    it('treats __proto__ and constructor as ordinary attribute keys: checked, and kept', () => {
        const parse = (attributes) => JSON.parse(`{${JSON.stringify(valid).slice(1, -1)},"attributes":${attributes}}`);
        assert.deepEqual(issuesOf(parse('{"__proto__":5}')), ['attributes.__proto__']);
        assert.deepEqual(issuesOf(parse('{"__proto__":{"a":"b"}}')), ['attributes.__proto__']);
        assert.deepEqual(issuesOf(parse('{"constructor":null}')), ['attributes.constructor']);
        assert.deepEqual(issuesOf(parse(`{"__proto__":"${'v'.repeat(257)}"}`)), [
            'attributes.__proto__',
        ]);
        const result = validateEvent(parse('{"__proto__":"x","constructor":"y","toString":"z"}'), NOW, WINDOW);
        assert.ok(result.ok, JSON.stringify(result));
        const stored = result.event.attributes ?? {};
        assert.deepEqual(Object.keys(stored), ['__proto__', 'constructor', 'toString']);
        assert.equal(Object.getPrototypeOf(stored), Object.prototype, 'the prototype is not replaced');
        assert.equal(JSON.stringify(stored), '{"__proto__":"x","constructor":"y","toString":"z"}');
        // The 33rd key counts, whatever its name.
        const many = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${i}`, 'v']));
        const withProto = parse(JSON.stringify({ ...many, ['__proto__']: 'v' }));
        assert.equal(Object.keys(withProto.attributes).length, 33);
        assert.deepEqual(issuesOf(withProto), ['attributes']);
    });
    it('refuses __proto__ at the top level as an unknown field', () => {
        const event = JSON.parse(`{${JSON.stringify(valid).slice(1, -1)},"__proto__":{"x":1}}`);
        assert.ok(issuesOf(event).length > 0);
    });
});
//# sourceMappingURL=validate-event.test.js.map