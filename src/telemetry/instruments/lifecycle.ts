import type { Meter } from '@opentelemetry/api';
import { gaugeSetter } from './buckets.js';

/** The clock of a drain, read at each scrape (lifecycle/report-lifecycle.ts runs it). */
export interface DrainClock {
  readonly deadlineSeconds: number;
  /** Since the drain began, until it ended; 0 before a drain. */
  elapsedSeconds(): number;
}

/** The lifecycle state, failures and the drain (SPEC §7). */
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
    observeDrain(clock: DrainClock): void {
      meter
        .createObservableGauge('adgate_drain_elapsed_seconds', {
          description:
            'How long the drain in progress has run, or the finished one took (0 before a drain)',
        })
        .addCallback((result) => result.observe(clock.elapsedSeconds()));
      meter
        .createObservableGauge('adgate_drain_deadline_seconds', {
          description: 'ADGATE_DRAIN_TIMEOUT_MS: past it a drain exits non-zero',
        })
        .addCallback((result) => result.observe(clock.deadlineSeconds));
    },
  };
}
