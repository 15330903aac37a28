import { createServer } from 'node:http';
import { freePort } from './gateway-process.js';

/** A local OTLP/HTTP receiver: what the gateway's trace exporter sends to ADGATE_OTLP_TRACES_URL. */
export interface OtlpReceiver {
  /** The traces endpoint, for ADGATE_OTLP_TRACES_URL. */
  readonly url: string;
  /** Export requests to /v1/traces so far, and their body bytes. */
  readonly requests: number;
  readonly bytes: number;
  /** Their bodies, when started with keepBodies (a test reads the spans; a benchmark only counts). */
  bodies(): readonly string[];
  close(): Promise<void>;
}

/**
 * A minimal OTLP/HTTP receiver on 127.0.0.1: it answers every export with
 * 200 and records what came, so the exporter never backs off. It does
 * not parse the bodies: a benchmark that runs it in its own process
 * should not pay for that.
 */
export async function startOtlpReceiver(
  options: { readonly keepBodies?: boolean } = {},
): Promise<OtlpReceiver> {
  const kept: string[] = [];
  const counts = { requests: 0, bytes: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => {
      counts.bytes += d.length;
      if (options.keepBodies) chunks.push(d);
    });
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        counts.requests += 1;
        if (options.keepBodies) kept.push(Buffer.concat(chunks).toString());
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    get requests() {
      return counts.requests;
    },
    get bytes() {
      return counts.bytes;
    },
    bodies: () => kept,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
