import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { type PartitionerArgs, Partitioners, type PartitionMetadata } from 'kafkajs';
import { createKeyPartitioner, murmur2 } from '../../src/kafka/partition-by-key.js';
import { sampleItems } from '../../testkit/stream/generate-chunks.js';

// A key's partition must be the one kafkajs's (and Java's) default
// partitioner picks, or one impression's events written by adgate and by
// another producer would split across partitions.

const kafkaJsMurmur2 = createRequire(import.meta.url)(
  'kafkajs/src/producer/partitioners/default/murmur2.js',
) as (key: Buffer | string) => number;

/** Deterministic bytes: a 32-bit LCG, so that a failure can be replayed. */
function bytesOf(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

const partitions = (leaders: readonly number[]): PartitionMetadata[] =>
  leaders.map((leader, partitionId) => ({
    partitionId,
    leader,
    partitionErrorCode: 0,
    replicas: [leader],
    isr: [leader],
  }));

const args = (
  message: PartitionerArgs['message'],
  leaders: readonly number[],
): PartitionerArgs => ({
  topic: 't',
  partitionMetadata: partitions(leaders),
  message,
});

describe('murmur2: the hash kafkajs gives', () => {
  it('for random bytes of every length up to 80, and text keys', () => {
    for (let length = 0; length <= 80; length++) {
      for (let seed = 1; seed <= 40; seed++) {
        const key = bytesOf(length, seed * 7_919 + length);
        assert.equal(murmur2(key), kafkaJsMurmur2(key), key.toString('hex'));
      }
    }
    for (const key of ['', 'a', 'é€😀', 'imp-0', '21', 'x'.repeat(1_000)]) {
      assert.equal(murmur2(key), kafkaJsMurmur2(key), key);
    }
  });

  it('for the bench stream impression ids', () => {
    const items = sampleItems(3, 2_000, 0);
    for (const item of items) assert.equal(murmur2(item.key), kafkaJsMurmur2(item.key));
  });
});

describe('key partitioner: the partition kafkajs picks', () => {
  const ours = createKeyPartitioner();
  const theirs = Partitioners.DefaultPartitioner();

  it('for keyed messages, whatever the partition count, and a named partition as named', () => {
    for (const count of [1, 3, 6, 7, 64]) {
      const leaders = Array.from({ length: count }, (_, i) => i % 3);
      for (let i = 0; i < 500; i++) {
        const key = i % 2 === 0 ? `imp-${i}` : bytesOf(i % 40, i);
        const message = { key, value: 'v' };
        assert.equal(ours(args(message, leaders)), theirs(args(message, leaders)));
      }
    }
    assert.equal(ours(args({ key: 'k', value: 'v', partition: 5 }, [0, 0, 0])), 5);
  });

  it('for messages without a key: round robin over the partitions that have a leader', () => {
    const leaders = [0, -1, 1, -1, 2, 0];
    const picked = Array.from({ length: 8 }, () => ours(args({ value: 'v' }, leaders)));
    const cycle = picked.slice(0, 4);
    assert.deepEqual([...cycle].sort(), [0, 2, 4, 5]);
    assert.deepEqual(picked.slice(4), cycle);
    const none = Array.from({ length: 6 }, () =>
      ours(args({ key: null, value: 'v' }, [-1, -1, -1])),
    );
    assert.deepEqual([...new Set(none)].sort(), [0, 1, 2]);
  });
});
