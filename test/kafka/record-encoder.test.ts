import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  encodeRecord,
  installRecordEncoder,
  type KafkaJsRecord,
  loadedRecordEncoder,
} from '../../src/kafka/record-encoder.js';
import { sampleItems } from '../../testkit/stream/generate-chunks.js';
import { assertKeptWithWarning } from '../support/kept-kafkajs-module.js';

// adgate's record encoder stands in for kafkajs's own in every produce
// request: it must write the very same bytes for every record kafkajs's
// producer can make. The module loaded here is kafkajs's own, which also
// keeps the encoder from being installed in this process (the last test);
// record-codecs-installed.test.ts installs it.

const kafkaJs = loadedRecordEncoder();
const sameBytes = (record: KafkaJsRecord) =>
  assert.deepEqual(encodeRecord(record), kafkaJs(record).buffer, JSON.stringify(record));

describe('record encoder: the bytes kafkajs writes', () => {
  it('for the bench stream events, as the HTTP ingress sends them', () => {
    const items = sampleItems(7, 2_000);
    let n = 0;
    for (const item of items) {
      sameBytes({
        offsetDelta: n++,
        timestampDelta: 0,
        key: item.key,
        value: Buffer.from(item.json),
        headers: { 'adgate-source': 'ad-server-1' },
      });
    }
    assert.ok(n >= 2_000);
  });

  it('for edge cases: null and empty keys and values, text, header arrays, varint boundaries', () => {
    const values = [null, '', Buffer.alloc(0), 'é€😀', Buffer.alloc(127, 1), Buffer.alloc(128, 2)];
    const deltas = [0, 1, 63, 64, 8_191, 8_192, 1_048_575, 1_048_576, 2 ** 30 - 1];
    for (const value of values) {
      for (const offsetDelta of deltas) {
        for (const timestampDelta of [0, -1, -64, 65, -(2 ** 30 - 1), 2 ** 30 - 1]) {
          sameBytes({ offsetDelta, timestampDelta, key: value, value });
        }
      }
    }
    sameBytes({ key: 'k', value: 'v', headers: { a: ['x', 'yy', ''], b: Buffer.from([0, 255]) } });
    sameBytes({ key: 'k', value: 'v' });
  });

  it('for deltas past 32 bits (old letters replayed beside new ones), NaN as 0, and refuses a fraction', () => {
    const day = 86_400_000;
    for (const timestampDelta of [
      2 ** 30,
      -(2 ** 30),
      13 * day,
      -400 * day,
      2 ** 52,
      -(2 ** 53 - 1),
      Number.NaN,
    ]) {
      sameBytes({ offsetDelta: 7, timestampDelta, key: 'k', value: 'v' });
    }
    for (const timestampDelta of [1.5, Number.POSITIVE_INFINITY]) {
      const record = { timestampDelta, key: 'k', value: 'v' };
      assert.throws(() => kafkaJs(record), RangeError);
      assert.throws(() => encodeRecord(record), RangeError);
    }
  });

  it('refuses a header value that is neither text nor bytes, as kafkajs does', () => {
    for (const headers of [{ none: null }, { some: ['a', undefined] }, { n: 5 }] as never[]) {
      assert.throws(() => kafkaJs({ key: 'k', value: 'v', headers }), TypeError);
      assert.throws(() => encodeRecord({ key: 'k', value: 'v', headers }), TypeError);
    }
  });
});

describe('record encoder: not installed once kafkajs has loaded its own', () => {
  it("keeps kafkajs's, and says so", () => {
    // kafkajs's record module was loaded at the top of this file: a produce
    // request may hold it already, so swapping it now could not be trusted.
    assertKeptWithWarning(installRecordEncoder, 'kafkajs record encoder kept');
    assert.equal(loadedRecordEncoder(), kafkaJs);
  });
});
