import { createRequire } from 'node:module';
import type { Logger } from '../telemetry/logger.js';
import { installInPlaceOf, loadKafkaJsModule } from './replace-kafkajs-module.js';

const CRC_MODULE = 'src/protocol/recordBatch/crc32C/index.js';

/** A CRC32C (Castagnoli) of the bytes, unsigned. */
export type Crc32C = (bytes: Uint8Array) => number;

/** kafkajs's CRC32C: a byte at a time through a table, about 2.5 ns a byte. */
export const javascriptCrc32c: Crc32C = loadKafkaJsModule(
  'src/protocol/recordBatch/crc32C/crc32C.js',
);

type Native = { readonly crc32c: Crc32C } | { readonly crc32c?: undefined; readonly why: string };

/**
 * @node-rs/crc32's CRC32C, a prebuilt binary for the platform (SSE 4.2 or
 * ARMv8 CRC instructions), about 0.2 ns a byte here: every record batch
 * the gateway produces is checksummed whole, so kafkajs's loop cost the
 * HTTP ingress about 0.3 µs an event (2% of its CPU in its profile).
 * Where no binary fits the platform, kafkajs's loop gives the same sums.
 */
function loadNative(): Native {
  try {
    return createRequire(import.meta.url)('@node-rs/crc32') as { crc32c: Crc32C };
  } catch (error) {
    return { why: error instanceof Error ? error.message : String(error) };
  }
}

const native = loadNative();

/** The CRC32C (Castagnoli) of the bytes, unsigned, as Kafka's record batches carry it. */
export const crc32c: Crc32C = native.crc32c ?? javascriptCrc32c;

/** True when crc32c is the native one. */
export const crc32cIsNative = native.crc32c !== undefined;

/**
 * Puts crc32c in place of kafkajs's, for the batches kafkajs still encodes
 * (compressed ones): createKafka calls it, with its logger, which also
 * hears once when the native sum could not load.
 */
export function installCrc32c(log?: Logger): boolean {
  if (native.crc32c === undefined && log !== undefined) warnOnce(log, native.why);
  return installInPlaceOf(CRC_MODULE, () => crc32c, log, 'CRC32C');
}

let warned = false;
function warnOnce(log: Logger, why: string): void {
  if (warned) return;
  warned = true;
  log.warn("native CRC32C unavailable: kafkajs's JavaScript one is used", { why });
}
