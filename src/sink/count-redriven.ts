import { ATTEMPTS_HEADER, REPLAY_ID_HEADER } from '../kafka/headers.js';
import type { InboundMessage } from '../kafka/types.js';
import type { Metrics } from '../telemetry/metrics.js';

/**
 * Counts the ingest messages that came back from the DLQ: sent by
 * `adgate dlq replay` (they carry adgate-replay-id) or retried by the DLQ
 * consumer (an attempt count above one). The replay is a command with no
 * metrics of its own: the sink that reads what it sent counts it.
 */
export function countRedriven(messages: readonly InboundMessage[], metrics: Metrics): void {
  let replayed = 0;
  let retried = 0;
  for (const message of messages) {
    if (message.headers[REPLAY_ID_HEADER] !== undefined) replayed += 1;
    else if (Number(message.headers[ATTEMPTS_HEADER]?.toString() ?? '1') > 1) retried += 1;
  }
  if (replayed > 0) metrics.sinkRedriven.add(replayed, { via: 'replay' });
  if (retried > 0) metrics.sinkRedriven.add(retried, { via: 'retry' });
}
