/** Deeper than this a value is written as '[too deep]': a log line is not a dump. */
const MAX_DEPTH = 6;

/**
 * Keys whose values are written as [redacted], at any depth: a request's
 * headers, a config, an error's options. Here, in the copy every line's
 * fields are made anyway, rather than as pino's `redact` paths: pino 10's
 * redaction parsed every path and cloned the line at each call, 26.5 µs and
 * some 80 KB of garbage a line (one per dead letter) where this check
 * costs a Set lookup a key (`node dist/loadtest/ceilings/log-cpu.js`).
 */
const SECRET_KEYS: ReadonlySet<string> = new Set([
  'authorization',
  'cookie',
  'password',
  'secret',
  'apiKey',
  'apiKeys',
  'token',
  'ADGATE_API_KEYS',
  'ADGATE_DATABASE_URL',
  'ADGATE_REDIS_URL',
]);
const REDACTED = '[redacted]';

/**
 * The fields of a log line made safe to serialise and worth reading: an
 * Error becomes { name, message, reason, code, stack, cause } (JSON.stringify
 * would give {}), a BigInt becomes its decimal text (JSON.stringify throws
 * on it, and a number would lose digits of a Kafka offset), a circular
 * reference becomes '[circular]', a secret (SECRET_KEYS) becomes
 * '[redacted]'. When the line has no `reason` of its own,
 * the first error's reason is lifted to the top, so that log queries find
 * the same token as the metric label.
 */
export function toLoggable(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const seen = new WeakSet<object>();
  let liftedReason: unknown;
  for (const [key, value] of Object.entries(fields)) {
    out[key] = field(key, value, seen, 0);
    if (liftedReason === undefined && value instanceof Error) liftedReason = reasonOf(value);
  }
  if (out.reason === undefined && typeof liftedReason === 'string') out.reason = liftedReason;
  return out;
}

/** One field's value as logged: redacted under a secret's name, else made loggable. */
function field(key: string, value: unknown, seen: WeakSet<object>, depth: number): unknown {
  return SECRET_KEYS.has(key) ? REDACTED : loggable(value, seen, depth);
}

function loggable(value: unknown, seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  try {
    if (value instanceof Error) return describeError(value, seen, depth);
    if (Array.isArray(value)) return value.map((v) => loggable(v, seen, depth + 1));
    if (value instanceof Date || Buffer.isBuffer(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = field(k, v, seen, depth + 1);
    return out;
  } finally {
    // Only the path from the root counts: the same object twice side by side is no cycle.
    seen.delete(value);
  }
}

function describeError(error: Error, seen: WeakSet<object>, depth: number) {
  const out: Record<string, unknown> = { name: error.name, message: error.message };
  const reason = reasonOf(error);
  if (typeof reason === 'string') out.reason = reason;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  if (error.stack !== undefined) out.stack = error.stack;
  if (error.cause !== undefined) out.cause = loggable(error.cause, seen, depth + 1);
  return out;
}

function reasonOf(error: Error): unknown {
  return (error as { reason?: unknown }).reason;
}
