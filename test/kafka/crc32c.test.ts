import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { crc32c, installCrc32c, javascriptCrc32c } from '../../src/kafka/crc32c.js';

// Kafka's record batches carry a CRC32C of everything after the CRC field:
// the broker refuses a batch whose sum differs (CORRUPT_MESSAGE), so the
// slicing-by-16 sum must equal kafkajs's for every length and alignment
// (it reads aligned words after a byte-wise head, and a byte-wise tail).

const kafkaJsCrc = createRequire(import.meta.url)(
  'kafkajs/src/protocol/recordBatch/crc32C/index.js',
) as (bytes: Buffer) => number;

describe("src/kafka/crc32c.ts: the record batches' checksum", () => {
  it("is the slicing-by-16 sum on this little-endian machine, not kafkajs's loop", () => {
    assert.notEqual(crc32c, javascriptCrc32c);
  });

  it('gives the CRC-32C check value and the RFC 3720 vectors', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
    assert.equal(crc32c(Buffer.alloc(32, 0)), 0x8a9136aa);
    assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
    assert.equal(crc32c(Buffer.alloc(0)), 0);
  });

  it("equals kafkajs's on every length up to 70 KiB, at any offset into a pooled buffer", () => {
    const pool = randomBytes(80_000);
    for (const length of [
      1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 19, 20, 31, 32, 33, 63, 64, 65, 255, 4096, 4097, 70_000,
    ]) {
      for (const offset of [0, 1, 3, 5, 8, 13]) {
        const bytes = pool.subarray(offset, offset + length);
        assert.equal(crc32c(bytes), javascriptCrc32c(bytes), `length ${length} at ${offset}`);
      }
    }
    for (let i = 0; i < 200; i += 1) {
      const bytes = randomBytes(1 + Math.floor(Math.random() * 3000));
      assert.equal(crc32c(bytes), javascriptCrc32c(bytes));
    }
  });

  it('is unsigned, as kafkajs writes it with writeUInt32BE', () => {
    const sums = Array.from({ length: 64 }, () => crc32c(randomBytes(100)));
    assert.ok(sums.every((sum) => Number.isInteger(sum) && sum >= 0 && sum <= 0xffff_ffff));
    assert.ok(
      sums.some((sum) => sum > 0x7fff_ffff),
      'some sums have the top bit set',
    );
  });

  it("stands in for kafkajs's module once installed, else kafkajs keeps its own", () => {
    // kafkajs's index module is loaded above, before any install: kept.
    assert.equal(installCrc32c(), false);
    assert.equal(typeof kafkaJsCrc, 'function');
    assert.notEqual(kafkaJsCrc, crc32c);
  });
});
