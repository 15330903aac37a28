import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { LIFECYCLE_STATES, type Lifecycle } from './lifecycle-state.js';

/**
 * The lifecycle state as the adgate_lifecycle_state gauge and a log line
 * per move, and the drain's clock: adgate_drain_elapsed_seconds runs from
 * the move to `draining` (or to `failed`, which drains too) and stops at
 * `stopped`, beside adgate_drain_deadline_seconds, so that a scrape of the
 * metrics port mid-drain shows how near the deadline the drain is.
 */
export function reportLifecycle(
  lifecycle: Lifecycle,
  metrics: Metrics,
  log: Logger,
  drainTimeoutMs: number,
): void {
  let began: number | undefined;
  let ended: number | undefined;
  metrics.observeDrain({
    deadlineSeconds: drainTimeoutMs / 1000,
    elapsedSeconds: () => (began === undefined ? 0 : ((ended ?? Date.now()) - began) / 1000),
  });
  lifecycle.onChange((state) => {
    for (const s of LIFECYCLE_STATES) metrics.setLifecycleState(s === state ? 1 : 0, { state: s });
    if (state === 'draining' || state === 'failed') began ??= Date.now();
    if (state === 'stopped') ended = Date.now();
    log.info('lifecycle', { state });
  });
}
