import type { AdgateError } from '../errors/adgate-error.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Lifecycle } from './lifecycle-state.js';

/**
 * Fails the instance. `count: false` when the failure was counted where it
 * happened: another process of the same instance (src/workers/).
 */
export type Fail = (error: AdgateError, options?: { count?: boolean }) => void;

/**
 * The instance can no longer do its work (SPEC §7): the lifecycle moves to
 * `failed` (/readyz and /healthz answer 503), the failure is logged and
 * counted once with its reason, and `then` starts the drain that ends in a
 * non-zero exit. Later reports of the same or another cause add nothing.
 */
export function failOnce(
  lifecycle: Lifecycle,
  metrics: Metrics,
  log: Logger,
  then: (error: AdgateError) => void,
): Fail {
  return (error, { count = true } = {}) => {
    if (lifecycle.failed || lifecycle.state === 'stopped') return;
    lifecycle.moveTo('failed');
    if (count) {
      metrics.failures.add(1, { reason: error.reason });
      log.error('adgate failed: draining what it can, then exiting non-zero', {
        reason: error.reason,
        error,
      });
    } else {
      // Logged and counted once, where it happened (SPEC §7).
      log.warn('failing with the instance: draining what it can, then exiting non-zero', {
        reason: error.reason,
        cause: error.message,
      });
    }
    then(error);
  };
}
