import type { Meter } from '@opentelemetry/api';
import { gaugeSetter } from './buckets.js';

/** The lifecycle state, failures and the last drain (SPEC §7). */
export function createLifecycleInstruments(meter: Meter) {
  return {
    setLifecycleState: gaugeSetter(
      meter,
      'adgate_lifecycle_state',
      '1 for the current lifecycle state',
    ),
    failures: meter.createCounter('adgate_failures', {
      description:
        'Times this instance moved to `failed` (it then drains and exits non-zero), by reason',
    }),
    setLastDrainSeconds: gaugeSetter(
      meter,
      'adgate_last_drain_seconds',
      'Duration of the last completed drain',
    ),
  };
}
