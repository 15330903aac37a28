import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { LIFECYCLE_STATES, type Lifecycle } from './lifecycle-state.js';

/** The lifecycle state as the adgate_lifecycle_state gauge and a log line per move. */
export function reportLifecycle(lifecycle: Lifecycle, metrics: Metrics, log: Logger): void {
  lifecycle.onChange((state) => {
    for (const s of LIFECYCLE_STATES) metrics.setLifecycleState(s === state ? 1 : 0, { state: s });
    log.info('lifecycle', { state });
  });
}
