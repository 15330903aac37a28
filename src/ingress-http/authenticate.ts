import { timingSafeEqual } from 'node:crypto';
import type { ApiKey, Scope } from '../config/parse-api-keys.js';
import { sha256 } from '../config/parse-api-keys.js';

export type AuthResult =
  | { readonly ok: true; readonly key: ApiKey }
  | { readonly ok: false; readonly status: 401 | 403; readonly error: string };

/**
 * Bearer-token check (SPEC §3). The presented secret is hashed and compared
 * with every configured key in constant time, without stopping at the
 * first match, so that timing reveals neither a secret nor its position.
 */
export function authenticate(
  header: string | undefined,
  keys: readonly ApiKey[],
  scope: Scope,
): AuthResult {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (match === null) return { ok: false, status: 401, error: 'missing or malformed bearer token' };
  const presented = sha256(match[1] as string);
  let found: ApiKey | undefined;
  for (const key of keys) {
    if (timingSafeEqual(presented, key.secretSha256) && found === undefined) found = key;
  }
  if (found === undefined) return { ok: false, status: 401, error: 'unknown API key' };
  if (!found.scopes.has(scope)) {
    return { ok: false, status: 403, error: `this key lacks the "${scope}" scope` };
  }
  return { ok: true, key: found };
}
