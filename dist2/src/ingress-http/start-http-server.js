import { serve } from '@hono/node-server';
const TIMEOUT_RESPONSE = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
const BAD_REQUEST_RESPONSE = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
/**
 * Listens with the timeouts of SPEC §3 (408 for a client too slow to send
 * its headers or body). Node enforces headersTimeout and requestTimeout
 * only when it checks its connections, every 30 s by default, so the check
 * runs at a tenth of the shorter timeout: a slowloris client is closed
 * within about 110% of the header timeout, not half a minute later.
 */
export async function startHttpServer(fetch, settings, hooks) {
    const shorter = Math.min(settings.headersTimeoutMs, settings.requestTimeoutMs);
    const serverOptions = {
        headersTimeout: settings.headersTimeoutMs,
        requestTimeout: settings.requestTimeoutMs,
        connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(shorter / 10))),
    };
    const started = await new Promise((resolve, reject) => {
        const s = serve({ fetch, port: settings.port, hostname: settings.host, serverOptions }, (info) => resolve({ server: s, port: info.port }));
        s.once('error', reject);
    });
    const { server } = started;
    server.keepAliveTimeout = settings.keepAliveTimeoutMs;
    server.maxConnections = settings.maxConnections;
    server.on('drop', () => hooks.onConnectionDropped());
    server.on('clientError', (error, socket) => {
        answerClientFault(error, socket, hooks);
    });
    return started;
}
/**
 * Node's own answer to a client error, plus the count: with a listener
 * attached, Node leaves writing the response to us. A reset or a closed
 * socket gets no answer and is not the client's fault worth counting.
 */
function answerClientFault(error, socket, hooks) {
    if (error.code === 'ECONNRESET' || !socket.writable) {
        socket.destroy();
        return;
    }
    const fault = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'timeout' : 'bad_request';
    hooks.onClientFault(fault);
    const response = socket._httpMessage;
    if (response?.headersSent)
        socket.destroy();
    else
        socket.end(fault === 'timeout' ? TIMEOUT_RESPONSE : BAD_REQUEST_RESPONSE);
}
/**
 * Stops accepting connections and resolves when the requests in flight
 * have been answered. Keep-alive connections are closed as soon as they
 * are idle; requests arriving on them meanwhile get a 503 (draining).
 */
export function closeHttpServer(server) {
    return new Promise((resolve, reject) => {
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        server.close((error) => {
            clearInterval(sweep);
            if (error)
                reject(error);
            else
                resolve();
        });
        server.closeIdleConnections();
    });
}
//# sourceMappingURL=start-http-server.js.map