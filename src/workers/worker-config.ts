import type { Config } from '../config/load-config.js';
import type { RateLimit } from '../config/parse-rate.js';
import type { WorkerSpec } from './plan-workers.js';

/**
 * A worker's own configuration: its roles, no migrations (the supervisor
 * ran them), and its share of the instance's limits. The rate limits and
 * the connection cap are the instance's (README "Security"); each of N HTTP
 * workers enforces 1/N of them, which the supervisor's round-robin hand-out
 * of connections makes the instance's whole. A client on one keep-alive
 * connection reaches one worker, so it alone gets 1/N of its key's rate:
 * give a key that sends over few connections a rate N times its share, or
 * run one HTTP worker.
 */
export function workerConfig(config: Config, spec: WorkerSpec): Config {
  // Only ingress workers are ever several listeners.
  const n = spec.kind === 'ingress' ? spec.of : 1;
  return Object.freeze({
    ...config,
    ADGATE_ROLES: [...spec.roles],
    ADGATE_MIGRATE_ON_START: false,
    ...(n > 1 ? sharedLimits(config, n) : {}),
  });
}

function sharedLimits(config: Config, n: number) {
  return {
    ADGATE_RATE_LIMIT:
      config.ADGATE_RATE_LIMIT === undefined ? undefined : share(config.ADGATE_RATE_LIMIT, n),
    ADGATE_AUTH_FAILURE_LIMIT: share(config.ADGATE_AUTH_FAILURE_LIMIT, n),
    ADGATE_HTTP_MAX_CONNECTIONS: Math.max(1, Math.ceil(config.ADGATE_HTTP_MAX_CONNECTIONS / n)),
    apiKeys: Object.freeze(
      config.apiKeys.map((key) =>
        key.rateLimit === undefined ? key : { ...key, rateLimit: share(key.rateLimit, n) },
      ),
    ),
  };
}

/** 1/n of a token bucket: the rate, and the burst rounded up (never below 1). */
export function share(limit: RateLimit, n: number): RateLimit {
  return { perSecond: limit.perSecond / n, burst: Math.max(1, Math.ceil(limit.burst / n)) };
}
