import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseApiKeys, sha256 } from '../../src/config/parse-api-keys.js';
import { authenticate } from '../../src/ingress-http/authenticate.js';
const keys = parseApiKeys(`ads-eu:ingest:s3cret,finance:billing:sha256=${sha256('0ther').toString('hex')}`);
describe('authenticate (SPEC §3)', () => {
    it('finds the source of a valid key with the scope', () => {
        const result = authenticate('Bearer s3cret', keys, 'ingest');
        assert.ok(result.ok);
        assert.equal(result.key.source, 'ads-eu');
        const hashed = authenticate('Bearer 0ther', keys, 'billing');
        assert.ok(hashed.ok && hashed.key.source === 'finance');
    });
    it('answers 401 without a valid key and 403 without the scope', () => {
        assert.deepEqual(authenticate(undefined, keys, 'ingest'), {
            ok: false,
            status: 401,
            error: 'missing or malformed bearer token',
        });
        const wrong = authenticate('Bearer nope', keys, 'ingest');
        assert.ok(!wrong.ok && wrong.status === 401);
        const scope = authenticate('Bearer s3cret', keys, 'billing');
        assert.ok(!scope.ok && scope.status === 403);
        const basic = authenticate('Basic s3cret', keys, 'ingest');
        assert.ok(!basic.ok && basic.status === 401);
    });
});
//# sourceMappingURL=authenticate.test.js.map