import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Message, PartitionerArgs, PartitionMetadata } from 'kafkajs';
import {
  type GroupingArgs,
  groupMessagesPerPartition,
  installGrouping,
  loadedGrouping,
} from '../../src/kafka/group-by-partition.js';
import { createKeyPartitioner } from '../../src/kafka/partition-by-key.js';
import { sampleItems } from '../../testkit/stream/generate-chunks.js';
import { assertKeptWithWarning } from '../support/kept-kafkajs-module.js';

// Nothing in this process loads src/kafka/kafkajs.ts, so kafkajs's own
// grouping is what loadedGrouping gives here: the reference.
const kafkaJsGrouping = loadedGrouping();

const partitions = (count: number, leaderless: readonly number[] = []): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => {
    const leader = leaderless.includes(partitionId) ? -1 : 0;
    return { partitionId, leader, partitionErrorCode: 0, replicas: [0], isr: [0] };
  });

/** A send of the bench's events: keyed, some with a partition of their own, some without a key. */
function sendOf(count: number, seed: number, numPartitions: number): Message[] {
  return sampleItems(seed, count, 0).map((item, i) => {
    if (i % 17 === 3) return { key: null, value: item.json };
    if (i % 29 === 5) return { key: item.key, value: item.json, partition: i % numPartitions };
    return { key: item.key, value: item.json };
  });
}

/** Both groupings of one send, each with a fresh partitioner whose round robin starts alike. */
function bothGroupings(args: Omit<GroupingArgs, 'partitioner'>) {
  const partitionerFor = () => {
    const partitioner = createKeyPartitioner();
    let turn = 0;
    // The round robin starts at a random count: the same sequence for both.
    return (a: PartitionerArgs) => (a.message.key === null ? turn++ % 3 : partitioner(a));
  };
  return {
    ours: groupMessagesPerPartition({ ...args, partitioner: partitionerFor() }),
    theirs: kafkaJsGrouping({ ...args, partitioner: partitionerFor() }),
  };
}

describe("groupMessagesPerPartition: kafkajs's groups, without its copies", () => {
  it('gives the same partitions, in the same order, each with the same messages in send order', () => {
    for (const numPartitions of [1, 2, 3, 6, 12, 64]) {
      for (const count of [0, 1, 2, 7, 500, 2_000]) {
        const args = {
          topic: 'events',
          partitionMetadata: partitions(numPartitions),
          messages: sendOf(count, numPartitions * 1_000 + count, numPartitions),
        };
        const { ours, theirs } = bothGroupings(args);
        assert.deepEqual(Object.keys(ours), Object.keys(theirs), `${numPartitions}/${count}`);
        for (const partition of Object.keys(theirs)) {
          const mine = ours[Number(partition)] ?? [];
          const kafkaJs = theirs[Number(partition)] ?? [];
          assert.equal(mine.length, kafkaJs.length);
          // The very message objects, not copies.
          for (const [i, message] of mine.entries()) assert.equal(message, kafkaJs[i]);
        }
      }
    }
  });

  it('groups nothing for a topic without partition metadata, as kafkajs does', () => {
    const args = { topic: 'events', partitionMetadata: [], messages: sendOf(10, 1, 3) };
    const { ours, theirs } = bothGroupings(args);
    assert.deepEqual(ours, {});
    assert.deepEqual(theirs, {});
  });

  it('keeps every message of a send once', () => {
    const messages = sendOf(3_000, 9, 6);
    const groups = bothGroupings({
      topic: 'events',
      partitionMetadata: partitions(6, [2]),
      messages,
    }).ours;
    const grouped = Object.values(groups).flat();
    assert.equal(grouped.length, messages.length);
    assert.equal(new Set(grouped).size, messages.length);
  });
});

describe('groupMessagesPerPartition: not installed once kafkajs has loaded its own', () => {
  it('is refused, with a warning, once kafkajs has loaded its own', () => {
    assertKeptWithWarning(installGrouping, 'kafkajs grouping of messages by partition kept');
  });
});
