import { createHash } from 'node:crypto';
import { parseRate, type RateLimit } from './parse-rate.js';

export type Scope = 'ingest' | 'billing' | 'admin';
const SCOPES: readonly Scope[] = ['ingest', 'billing', 'admin'];

export interface ApiKey {
  readonly source: string;
  readonly scopes: ReadonlySet<Scope>;
  /** This key's own rate limit (`scopes@R/B`), overriding ADGATE_RATE_LIMIT. */
  readonly rateLimit?: RateLimit;
  /** SHA-256 of the secret: plain secrets are hashed at start so that every compare is the same. */
  readonly secretSha256: Buffer;
}

/** The key configured outside production when ADGATE_API_KEYS is unset (SPEC §6). */
export const DEVELOPMENT_API_KEYS = 'dev:ingest+billing:dev-key';

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Parses `source:scopes[@R/B]:secret,…` (SPEC §6). `@R/B` sets the key's
 * own rate limit: R events per second, a burst of B. A secret written as
 * `sha256=<64 hex>` is kept as that digest so that a deployment need not
 * hold the plain key.
 */
export function parseApiKeys(list: string): ApiKey[] {
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
      let rateLimit: RateLimit | undefined;
      try {
        rateLimit = rateText === undefined ? undefined : parseRate(rateText);
      } catch (error) {
        throw new Error(`entry ${index + 1}: rate limit ${(error as Error).message}`);
      }
      const scopes = scopeText.split('+');
      for (const scope of scopes) {
        if (!SCOPES.includes(scope as Scope)) {
          throw new Error(
            `entry ${index + 1}: unknown scope "${scope}" (known: ${SCOPES.join(', ')})`,
          );
        }
      }
      const secret = entry.slice(second + 1);
      let secretSha256: Buffer;
      if (secret.startsWith('sha256=')) {
        const hex = secret.slice('sha256='.length);
        if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
          throw new Error(`entry ${index + 1}: sha256= must be followed by 64 hex digits`);
        }
        secretSha256 = Buffer.from(hex, 'hex');
      } else {
        secretSha256 = sha256(secret);
      }
      const scopeSet = new Set(scopes as Scope[]);
      return rateLimit === undefined
        ? { source, scopes: scopeSet, secretSha256 }
        : { source, scopes: scopeSet, secretSha256, rateLimit };
    });
}
