import { createHash } from 'node:crypto';
import { parseRate } from './parse-rate.js';
const SCOPES = ['ingest', 'billing', 'admin'];
/** The key configured outside production when ADGATE_API_KEYS is unset (SPEC §6). */
export const DEVELOPMENT_API_KEYS = 'dev:ingest+billing:dev-key';
export function sha256(text) {
    return createHash('sha256').update(text, 'utf8').digest();
}
/**
 * Parses `source:scopes[@R/B]:secret,…` (SPEC §6). `@R/B` sets the key's
 * own rate limit: R events per second, a burst of B. A secret written as
 * `sha256=<64 hex>` is kept as that digest so that a deployment need not
 * hold the plain key.
 */
export function parseApiKeys(list) {
    return list
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '')
        .map((entry, index) => {
        const first = entry.indexOf(':');
        const second = entry.indexOf(':', first + 1);
        if (first <= 0 || second <= first + 1 || second === entry.length - 1) {
            throw new Error(`entry ${index + 1} is not source:scopes:secret`);
        }
        const source = entry.slice(0, first);
        if (!/^[A-Za-z0-9._-]{1,64}$/.test(source)) {
            throw new Error(`entry ${index + 1}: source must be 1..64 chars of [A-Za-z0-9._-]`);
        }
        const [scopeText = '', rateText] = entry.slice(first + 1, second).split('@');
        let rateLimit;
        try {
            rateLimit = rateText === undefined ? undefined : parseRate(rateText);
        }
        catch (error) {
            throw new Error(`entry ${index + 1}: rate limit ${error.message}`);
        }
        const scopes = scopeText.split('+');
        for (const scope of scopes) {
            if (!SCOPES.includes(scope)) {
                throw new Error(`entry ${index + 1}: unknown scope "${scope}" (known: ${SCOPES.join(', ')})`);
            }
        }
        const secret = entry.slice(second + 1);
        let secretSha256;
        if (secret.startsWith('sha256=')) {
            const hex = secret.slice('sha256='.length);
            if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
                throw new Error(`entry ${index + 1}: sha256= must be followed by 64 hex digits`);
            }
            secretSha256 = Buffer.from(hex, 'hex');
        }
        else {
            secretSha256 = sha256(secret);
        }
        const scopeSet = new Set(scopes);
        return rateLimit === undefined
            ? { source, scopes: scopeSet, secretSha256 }
            : { source, scopes: scopeSet, secretSha256, rateLimit };
    });
}
//# sourceMappingURL=parse-api-keys.js.map