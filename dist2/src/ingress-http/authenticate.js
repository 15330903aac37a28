import { timingSafeEqual } from 'node:crypto';
import { sha256 } from '../config/parse-api-keys.js';
/**
 * Bearer-token check (SPEC §3). The presented secret is hashed and compared
 * with every configured key in constant time, without stopping at the
 * first match, so that timing reveals neither a secret nor its position.
 */
export function authenticate(header, keys, scope) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (match === null)
        return { ok: false, status: 401, error: 'missing or malformed bearer token' };
    const presented = sha256(match[1]);
    let found;
    for (const key of keys) {
        if (timingSafeEqual(presented, key.secretSha256) && found === undefined)
            found = key;
    }
    if (found === undefined)
        return { ok: false, status: 401, error: 'unknown API key' };
    if (!found.scopes.has(scope)) {
        return { ok: false, status: 403, error: `this key lacks the "${scope}" scope` };
    }
    return { ok: true, key: found };
}
//# sourceMappingURL=authenticate.js.map