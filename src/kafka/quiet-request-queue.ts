import type { Logger } from '../telemetry/logger.js';
import { loadKafkaJsModule, otherKafkaJsVersion } from './replace-kafkajs-module.js';

/**
 * kafkajs 2.2.4's RequestQueue (one per broker connection) checks its
 * queue of requests held back (client-side throttling, too many in
 * flight) from a timer. When nothing is held back and nothing throttled,
 * it still sets that timer, to a negative delay, which Node runs after
 * 1 ms, and the check sets it again: from a connection's first answer on,
 * each connection wakes its process a thousand times a second for ever
 * (kafkajs issues #1556 and #1704, the fix of pull request #1667 not
 * released). An idle sink worker spent 6–7% of a core on it. Here the
 * check is scheduled only while a request is held back: whatever holds
 * one back (push while throttled or full) schedules it, and an answer or
 * a timeout checks the queue at once, as in kafkajs.
 */
export function scheduleCheckPendingRequests(this: QueueState): void {
  if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
  const untilThrottleEnds = this.throttledUntil - Date.now();
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    untilThrottleEnds > 0 ? untilThrottleEnds : CHECK_PENDING_REQUESTS_INTERVAL_MS,
  );
}

/** kafkajs's own interval for a queue held back by in-flight requests alone. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

/** The RequestQueue state the method reads and writes (kafkajs's own fields). */
export interface QueueState {
  readonly pending: readonly unknown[];
  readonly throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  checkPendingRequests(): void;
}

const QUEUE_MODULE = 'src/network/requestQueue/index.js';

type QueueClass = { prototype: { scheduleCheckPendingRequests: () => void } };

let kept: { why: string; warned: boolean } | undefined;
let installed = false;

/**
 * Puts scheduleCheckPendingRequests on kafkajs's RequestQueue prototype,
 * for kafkajs 2.2.4 only: a method of a class, so every queue has it
 * whenever kafkajs loaded the module, those made before included. For
 * another version kafkajs keeps its own, with one warning.
 */
export function installQuietRequestQueue(log?: Logger): boolean {
  if (!installed && kept === undefined) {
    const other = otherKafkaJsVersion();
    if (other === undefined) {
      loadedRequestQueue().prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
      installed = true;
    } else {
      kept = { why: other.why, warned: false };
    }
  }
  if (kept !== undefined && !kept.warned && log !== undefined) {
    kept.warned = true;
    log.warn('kafkajs request queue timer kept', { why: kept.why });
  }
  return installed;
}

/** kafkajs's RequestQueue as its connections get it: patched once installed. */
export function loadedRequestQueue(): QueueClass {
  return loadKafkaJsModule<QueueClass>(QUEUE_MODULE);
}
