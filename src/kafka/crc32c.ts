import type { Logger } from '../telemetry/logger.js';
import { installInPlaceOf, loadKafkaJsModule } from './replace-kafkajs-module.js';

const CRC_MODULE = 'src/protocol/recordBatch/crc32C/index.js';

/** A CRC32C (Castagnoli) of the bytes, unsigned. */
export type Crc32C = (bytes: Uint8Array) => number;

/** kafkajs's CRC32C: a byte at a time through one table, about 2.3 ns a byte here. */
export const javascriptCrc32c: Crc32C = loadKafkaJsModule(
  'src/protocol/recordBatch/crc32C/crc32C.js',
);

const POLYNOMIAL = 0x82f63b78; // Castagnoli, reflected
const SLICES = 16;

/**
 * TABLE[k * 256 + b]: the CRC of byte b followed by k zero bytes, so that
 * sixteen bytes fold into the sum with sixteen look-ups and no loop.
 */
const TABLE = (() => {
  const table = new Int32Array(256 * SLICES);
  for (let b = 0; b < 256; b += 1) {
    let crc = b;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ POLYNOMIAL : crc >>> 1;
    table[b] = crc;
  }
  for (let b = 0; b < 256; b += 1) {
    let crc = table[b] as number;
    for (let k = 1; k < SLICES; k += 1) {
      crc = (table[crc & 0xff] as number) ^ (crc >>> 8);
      table[k * 256 + b] = crc;
    }
  }
  return table;
})();

/** One byte into the sum, as kafkajs's loop does every byte. */
function byteStep(crc: number, byte: number): number {
  return (TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
}

/** The four table terms of one 32-bit word, the word `slice` words from the end of the block. */
function fold(word: number, slice: number): number {
  const t = TABLE;
  const at = slice * 1024;
  return (
    (t[at + 768 + (word & 0xff)] as number) ^
    (t[at + 512 + ((word >>> 8) & 0xff)] as number) ^
    (t[at + 256 + ((word >>> 16) & 0xff)] as number) ^
    (t[at + (word >>> 24)] as number)
  );
}

/**
 * Slicing-by-16 (Intel's slicing-by-8, twice as wide): sixteen bytes a
 * step, read as four little-endian words, about 0.7 ns a byte here. Every
 * record batch the gateway produces is checksummed whole, and kafkajs's
 * loop was 2% of the HTTP ingress's CPU in its profile. A native CRC32C
 * (@node-rs/crc32) is faster still, 0.2 ns a byte, but it added 3 MB to
 * the resident set of each process that loads it: 0.15 µs an event
 * was not worth that.
 */
function slicingBy16(bytes: Uint8Array): number {
  let crc = -1;
  let i = 0;
  const length = bytes.length;
  // Up to the first 4-byte boundary, a byte at a time: the words are read aligned.
  const head = Math.min(length, (4 - (bytes.byteOffset & 3)) & 3);
  for (; i < head; i += 1) crc = byteStep(crc, bytes[i] as number);
  const words = ((length - i) >>> 4) << 2;
  if (words > 0) {
    const w = new Int32Array(bytes.buffer, bytes.byteOffset + i, words);
    for (let j = 0; j < words; j += 4) {
      crc =
        fold((w[j] as number) ^ crc, 3) ^
        fold(w[j + 1] as number, 2) ^
        fold(w[j + 2] as number, 1) ^
        fold(w[j + 3] as number, 0);
    }
    i += words * 4;
  }
  for (; i < length; i += 1) crc = byteStep(crc, bytes[i] as number);
  return (crc ^ -1) >>> 0;
}

/** Words are read in the host's byte order: slicing needs little-endian (x86, ARM). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The CRC32C of the bytes, unsigned, as Kafka's record batches carry it. */
export const crc32c: Crc32C = LITTLE_ENDIAN ? slicingBy16 : javascriptCrc32c;

/**
 * Puts crc32c in place of kafkajs's, for the batches kafkajs still encodes
 * (compressed ones): createKafka calls it with its logger.
 */
export function installCrc32c(log?: Logger): boolean {
  return installInPlaceOf(CRC_MODULE, () => crc32c, log, 'CRC32C');
}
