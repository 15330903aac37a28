import type pg from 'pg';
import { createPartitionsAhead, pruneEventKeys } from '../store/maintain-event-store.js';
import type { Logger } from '../telemetry/logger.js';

export interface MaintenanceSettings {
  /** ADGATE_ACCEPT_PAST_MS: how far back the day partitions must exist. */
  readonly acceptPastMs: number;
  /** ADGATE_DEDUP_WINDOW_MS: idempotency keys older than this are pruned. */
  readonly dedupWindowMs: number;
  readonly everyMs?: number;
}

export interface MaintenanceDeps {
  readonly pool: pg.Pool;
  readonly log: Logger;
  /** Filled with the days created ahead, so that the sink's flushes need not create them. */
  readonly knownDays: Set<string>;
}

export interface Maintenance {
  /** Settles once the first pass is done, whether it worked or not (it never rejects). */
  readonly firstPass: Promise<void>;
  /** No pass starts after this; a pass in flight ends on its own client (the pool's end waits for it). */
  stop(): Promise<void>;
}

/**
 * The event store's upkeep: day partitions created ahead and idempotency
 * keys pruned past the dedup window (store/maintain-event-store.ts), now
 * and every 10 minutes. Started by startGateway in every role, so that an
 * ingress-only fleet still prunes; pruneEventKeys takes an advisory lock,
 * so one instance at a time does the work. A failed pass is logged and
 * tried again at the next tick: the sink waits for the first one to
 * settle, worked or not, and creates a day partition still missing itself
 * before it writes (sink/flush-batch.ts).
 */
export function scheduleMaintenance(
  settings: MaintenanceSettings,
  { pool, log, knownDays }: MaintenanceDeps,
): Maintenance {
  let stopped = false;
  const pass = async () => {
    if (stopped) return;
    try {
      for (const day of await createPartitionsAhead(pool, settings.acceptPastMs)) {
        knownDays.add(day);
      }
      const pruned = await pruneEventKeys(pool, settings.dedupWindowMs);
      if (pruned > 0) log.info('pruned idempotency keys past the dedup window', { pruned });
    } catch (error) {
      log.warn('event store maintenance failed; will try again', { error });
    }
  };
  const firstPass = pass();
  const timer = setInterval(() => void pass(), settings.everyMs ?? 600_000);
  timer.unref();
  return {
    firstPass,
    stop() {
      stopped = true;
      clearInterval(timer);
      return Promise.resolve();
    },
  };
}
