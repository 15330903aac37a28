export class AdgateError extends Error {
    reason;
    /** True when the same operation may succeed if tried again later. */
    retriable;
    constructor(reason, message, options) {
        super(message, options.cause === undefined ? undefined : { cause: options.cause });
        this.name = new.target.name;
        this.reason = reason;
        this.retriable = options.retriable;
    }
}
/** A server the pipeline depends on did not answer: keep the batch, back off, try again. */
export class DependencyUnavailableError extends AdgateError {
    constructor(reason, message, cause) {
        super(reason, message, { retriable: true, cause });
    }
}
/** PostgreSQL refused the data itself: retrying the same rows cannot help. */
export class WriteRejectedError extends AdgateError {
    constructor(message, cause) {
        super('write_failed', message, { retriable: false, cause });
    }
}
/**
 * A server the pipeline depends on refused the operation for a reason that
 * is neither the rows' fault nor passing: a missing table, a revoked
 * privilege, a wrong password, a database that does not exist. Retrying
 * would wedge the pipeline and dead-lettering the rows would lose healthy
 * events, so the error propagates and the component stops for good until an
 * operator fixes the server and restarts it.
 */
export class DependencyRejectedError extends AdgateError {
    constructor(reason, message, cause) {
        super(reason, message, { retriable: false, cause });
    }
}
/**
 * The client closed the connection before its request was read whole:
 * nobody is waiting for an answer and nothing on our side failed, so it is
 * neither a 5xx nor a log line that pages anyone (nginx's 499).
 */
export class ClientClosedRequestError extends AdgateError {
    constructor(cause) {
        super('client_closed_request', 'the client closed the connection mid-request', {
            retriable: false,
            cause,
        });
    }
}
export class ConfigError extends AdgateError {
    constructor(message) {
        super('config_invalid', message, { retriable: false });
    }
}
export function errorMessage(error) {
    return error instanceof Error ? error.message : String(error);
}
//# sourceMappingURL=adgate-error.js.map