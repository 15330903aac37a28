import {
  AdgateError,
  DependencyUnavailableError,
  errorMessage,
  WriteRejectedError,
} from '../errors/adgate-error.js';

// SQLSTATE classes whose errors come from the rows themselves: sending the
// same rows again fails the same way, so the batch is split to find them.
// Everything else (connection loss, shutdown, deadlock, serialization,
// resources) is the server's state and is retried with backoff, never sent
// to the DLQ: healthy events must not become dead letters because a server
// was restarting.
const DATA_CLASSES = new Set(['22', '23']);

/** The one place that decides what a pg error means for the pipeline. */
export function classifyPgError(error: unknown): AdgateError {
  if (error instanceof AdgateError) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.length === 5 && DATA_CLASSES.has(code.slice(0, 2))) {
    return new WriteRejectedError(
      `PostgreSQL refused the rows: ${code} ${errorMessage(error)}`,
      error,
    );
  }
  return new DependencyUnavailableError(
    'postgres_unavailable',
    `PostgreSQL: ${typeof code === 'string' ? `${code} ` : ''}${errorMessage(error)}`,
    error,
  );
}
