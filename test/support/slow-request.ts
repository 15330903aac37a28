import { request } from 'node:http';
import { DEV_KEY } from './events.js';
import { serverHasRead } from './server-has-read.js';

/**
 * A POST whose headers and first half of body go now, and the rest on
 * finish(); `headersSent` resolves once the gateway has read them.
 */
export function startSlowRequest(baseUrl: string, body: string) {
  const payload = Buffer.from(body);
  const half = Math.floor(payload.length / 2);
  let finish!: () => void;
  let headersSent!: () => void;
  let notSent!: (error: unknown) => void;
  const sent = new Promise<void>((resolve, reject) => {
    headersSent = resolve;
    notSent = reject;
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      `${baseUrl}/v1/events`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${DEV_KEY}`,
          'content-type': 'application/json',
          'content-length': String(payload.length),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => {
          text += d.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.write(payload.subarray(0, half), () => {
      serverHasRead(baseUrl).then(headersSent, notSent);
    });
    finish = () => req.end(payload.subarray(half));
  });
  return { headersSent: sent, response, finish: () => finish() };
}
