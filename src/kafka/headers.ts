/**
 * adgate's Kafka record headers: the wire contract between the two
 * ingresses, the sink and the dead-letter topics (SPEC §4, §6). Every
 * name starts with ADGATE_HEADER_PREFIX, which is how a dead letter cut to
 * fit tells adgate's own headers from the original message's.
 */
export const ADGATE_HEADER_PREFIX = 'adgate-';

/** The event's source, set by the HTTP ingress from the API key (SPEC §6). */
export const SOURCE_HEADER = 'adgate-source';

// Set on every dead letter (SPEC §4).
/** Where the message first failed; a redriven message keeps the first place. */
export const ORIGINAL_TOPIC_HEADER = 'adgate-original-topic';
export const ORIGINAL_PARTITION_HEADER = 'adgate-original-partition';
export const ORIGINAL_OFFSET_HEADER = 'adgate-original-offset';
/** The reason token, the same as in the log and the adgate_dlq_messages label. */
export const REASON_HEADER = 'adgate-reason';
/** The error's text, cut at ERROR_HEADER_MAX_CHARS UTF-16 units. */
export const ERROR_HEADER = 'adgate-error';
export const ERROR_HEADER_MAX_CHARS = 1_000;
export const ATTEMPTS_HEADER = 'adgate-attempts';
export const FIRST_FAILED_HEADER = 'adgate-first-failed-at';
/** When the last attempt failed: the DLQ consumer's backoff counts from it. */
export const LAST_FAILED_HEADER = 'adgate-last-failed-at';

// Set on a message that `adgate dlq replay` sent back to the ingest topic.
/** Which replay sent it (resuming a replay skips what that replay already sent). */
export const REPLAY_ID_HEADER = 'adgate-replay-id';
/** The dead letter it came from, as topic:partition:offset. */
export const REPLAY_OF_HEADER = 'adgate-replay-of';

// Set only on a dead letter cut to fit its topic (SPEC §4).
/** The original value's length in bytes. */
export const VALUE_TRUNCATED_HEADER = 'adgate-value-truncated';
/** The SHA-256 (hex) of the whole original value. */
export const VALUE_SHA256_HEADER = 'adgate-value-sha256';
/** How many of the original message's own headers were dropped. */
export const HEADERS_DROPPED_HEADER = 'adgate-headers-dropped';
/** The original key's length in bytes (the key was dropped). */
export const KEY_TRUNCATED_HEADER = 'adgate-key-truncated';
