import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import {
  type BatchContext,
  type DecoderLike,
  decodeRecord,
  installRecordDecoder,
  loadedRecordDecoder,
} from '../../src/kafka/record-decoder.js';
import { encodeRecord, type KafkaJsRecord } from '../../src/kafka/record-encoder.js';
import { sampleItems } from '../../testkit/stream/generate-chunks.js';
import { assertKeptWithWarning } from '../support/kept-kafkajs-module.js';

// adgate's record decoder stands in for kafkajs's own in every fetch: it
// must give the very same record for every record a broker can return. The
// module loaded here is kafkajs's own, which also keeps the decoder from
// being installed in this process (the last test);
// record-codecs-installed.test.ts installs it.

const kafkaJs = loadedRecordDecoder();
const Decoder = createRequire(import.meta.url)('kafkajs/src/protocol/decoder.js') as new (
  buffer: Buffer,
) => DecoderLike & { readVarIntBytes(): Buffer };

/** A record's bytes as the batch decoder hands them over: without their length prefix. */
const recordBytes = (record: KafkaJsRecord): Buffer =>
  new Decoder(encodeRecord(record)).readVarIntBytes();

const context = (overrides: Partial<BatchContext> = {}): BatchContext => ({
  firstOffset: '0',
  firstTimestamp: '1700000000000',
  maxTimestamp: '1700000000999',
  timestampType: 0,
  magicByte: 2,
  isControlBatch: false,
  ...overrides,
});

function sameRecord(bytes: Buffer, batch: BatchContext): void {
  const theirs = new Decoder(bytes);
  const ours = new Decoder(bytes);
  assert.deepStrictEqual(decodeRecord(ours, batch), kafkaJs(theirs, batch));
  assert.equal(ours.offset, theirs.offset);
}

/** A record written byte by byte, for what encodeRecord cannot write: null header names and values. */
function handWritten(
  headers: readonly (readonly [readonly number[], readonly number[]])[],
): Buffer {
  const zigzag = (n: number) => ((n << 1) ^ (n >> 31)) >>> 0;
  const out = [0, 0, zigzag(3), zigzag(1), 0x6b, zigzag(1), 0x76, zigzag(headers.length)];
  for (const [name, value] of headers) out.push(...name, ...value);
  return Buffer.from(out);
}

describe('record decoder: the records kafkajs gives', () => {
  it('for the bench stream events, in batches at several offsets', () => {
    const items = sampleItems(11, 2_000);
    const batches = [context(), context({ firstOffset: '4294967295' })];
    let n = 0;
    for (const item of items) {
      const record = {
        offsetDelta: n % 500,
        timestampDelta: (n * 7) % 900,
        key: item.key,
        value: Buffer.from(item.json),
        headers: { 'adgate-source': `ad-server-${n % 3}` },
      };
      sameRecord(recordBytes(record), batches[n++ % 2] as BatchContext);
    }
    assert.ok(n >= 2_000);
  });

  it('for offsets and timestamps past 2^53, negative ones, and log-append time', () => {
    const batches = [
      context({ firstOffset: '9007199254740000', firstTimestamp: '9007199254740990' }),
      context({ firstOffset: '999999999999999', firstTimestamp: '999999999999000' }),
      context({ firstOffset: '999999', firstTimestamp: '1000000' }),
      context({ firstOffset: '9223372036854775000', firstTimestamp: '-1' }),
      context({ timestampType: 1 }),
      context({ timestampType: 1, maxTimestamp: '' }),
      context({ isControlBatch: true }),
      { ...context(), isControlBatch: undefined },
    ];
    const deltas = [
      0,
      1,
      -1,
      999_999,
      1_000_000,
      1_000_001,
      -1_000_001,
      2 ** 31,
      -(2 ** 31),
      2 ** 52,
      -(2 ** 53 - 1),
      2 ** 62,
      -(2 ** 63),
    ];
    for (const batch of batches) {
      for (const timestampDelta of deltas) {
        for (const offsetDelta of [0, 1, 2 ** 30 - 1, 2 ** 31 - 1]) {
          sameRecord(recordBytes({ offsetDelta, timestampDelta, key: 'k', value: 'v' }), batch);
        }
      }
    }
  });

  it('for null and empty keys and values, repeated header names and names on the prototype', () => {
    for (const value of [null, '', 'é€😀', Buffer.alloc(300, 7)]) {
      sameRecord(recordBytes({ key: value, value }), context());
    }
    const headers = { a: ['x', 'yy', ''], toString: 't', constructor: ['c', 'd'], b: 'z' };
    // Names read again at the same position, then others of the same length there.
    for (const names of [
      ['src', 'try'],
      ['src', 'try'],
      ['src', 'trx'],
      ['dst', 'try'],
    ]) {
      const byName = Object.fromEntries(names.map((name, i) => [name, `v${i}`]));
      sameRecord(recordBytes({ key: 'k', value: 'v', headers: byName }), context());
    }
    sameRecord(recordBytes({ key: 'k', value: 'v', headers }), context());
    sameRecord(recordBytes({ key: 'k', value: 'v', headers: { ['__proto__']: 'p' } }), context());
    const nullName = [[0x01], [0x02, 0x61]] as const; // name null, value "a"
    const nullValue = [[0x02, 0x62], [0x01]] as const; // name "b", value null
    sameRecord(handWritten([nullName, nullValue, nullName]), context());
  });

  it('refuses a varlong of more than ten bytes, as kafkajs does', () => {
    const tooLong = Buffer.from([0, ...Array(10).fill(0xff), 0x01, 0, 1, 1, 0]);
    assert.throws(() => kafkaJs(new Decoder(tooLong), context()), {
      name: 'KafkaJSNonRetriableError',
    });
    assert.throws(() => decodeRecord(new Decoder(tooLong), context()), {
      name: 'KafkaJSNonRetriableError',
      message: 'Invalid Long, must contain 9 bytes or less',
    });
  });
});

describe('record decoder: not installed once kafkajs has loaded its own', () => {
  it("keeps kafkajs's, and says so", () => {
    assertKeptWithWarning(installRecordDecoder, 'kafkajs record decoder kept');
    assert.equal(loadedRecordDecoder(), kafkaJs);
  });
});
