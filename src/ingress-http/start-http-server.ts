import type { Server, ServerOptions } from 'node:http';
import type { Duplex } from 'node:stream';
import { serve } from '@hono/node-server';

/** What the HTTP listener needs of the configuration, and nothing else. */
export interface HttpServerSettings {
  readonly host: string;
  readonly port: number;
  /** A client must have sent its whole header block within this (slowloris). */
  readonly headersTimeoutMs: number;
  /** A client must have sent its whole request, body included, within this. */
  readonly requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** Connections past this many are closed at once. */
  readonly maxConnections: number;
}

export type ClientFault = 'timeout' | 'bad_request';

export interface HttpServerHooks {
  /** A client too slow (408) or not speaking HTTP (400); its connection is closed. */
  readonly onClientFault: (fault: ClientFault) => void;
  /** A connection refused because maxConnections were open. */
  readonly onConnectionDropped: () => void;
}

export interface StartedHttpServer {
  readonly server: Server;
  readonly port: number;
}

const TIMEOUT_RESPONSE =
  'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
const BAD_REQUEST_RESPONSE =
  'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/**
 * Listens with the timeouts of SPEC §3 (408 for a client too slow to send
 * its headers or body). Node enforces headersTimeout and requestTimeout
 * only when it checks its connections, every 30 s by default, so the check
 * runs at a tenth of the shorter timeout: a slowloris client is closed
 * within about 110% of the header timeout, not half a minute later.
 */
export async function startHttpServer(
  fetch: (request: Request) => Response | Promise<Response>,
  settings: HttpServerSettings,
  hooks: HttpServerHooks,
): Promise<StartedHttpServer> {
  const shorter = Math.min(settings.headersTimeoutMs, settings.requestTimeoutMs);
  const serverOptions: ServerOptions = {
    headersTimeout: settings.headersTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(shorter / 10))),
  };
  const started = await new Promise<StartedHttpServer>((resolve, reject) => {
    const s = serve(
      { fetch, port: settings.port, hostname: settings.host, serverOptions },
      (info) => resolve({ server: s as Server, port: info.port }),
    ) as Server;
    s.once('error', reject);
  });
  const { server } = started;
  server.keepAliveTimeout = settings.keepAliveTimeoutMs;
  server.maxConnections = settings.maxConnections;
  server.on('drop', () => hooks.onConnectionDropped());
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    answerClientFault(error, socket, hooks);
  });
  return started;
}

/**
 * Node's own answer to a client error, plus the count: with a listener
 * attached, Node leaves writing the response to us. A reset or a closed
 * socket gets no answer and is not the client's fault worth counting.
 */
function answerClientFault(error: NodeJS.ErrnoException, socket: Duplex, hooks: HttpServerHooks) {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const fault: ClientFault = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'timeout' : 'bad_request';
  hooks.onClientFault(fault);
  const response = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (response?.headersSent) socket.destroy();
  else socket.end(fault === 'timeout' ? TIMEOUT_RESPONSE : BAD_REQUEST_RESPONSE);
}

/**
 * Stops accepting connections and resolves when the requests in flight
 * have been answered. Keep-alive connections are closed as soon as they
 * are idle; requests arriving on them meanwhile get a 503 (draining).
 */
export function closeHttpServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close((error) => {
      clearInterval(sweep);
      if (error) reject(error);
      else resolve();
    });
    server.closeIdleConnections();
  });
}
