import type { Message, PartitionerArgs, PartitionMetadata } from 'kafkajs';
import type { Logger } from '../telemetry/logger.js';
import { installInPlaceOf, loadKafkaJsModule } from './replace-kafkajs-module.js';

const GROUPING_MODULE = 'src/producer/groupMessagesPerPartition.js';

/** What kafkajs's sendMessages hands its groupMessagesPerPartition. */
export interface GroupingArgs {
  readonly topic: string;
  readonly partitionMetadata: PartitionMetadata[];
  readonly messages: Message[];
  readonly partitioner: (args: PartitionerArgs) => number;
}

/**
 * kafkajs's groupMessagesPerPartition: each message of one send under the
 * partition its partitioner picks, in send order. kafkajs 2.2.4 copies the
 * partition's list and builds an object for every message (a reduce with
 * `[...current, message]` and Object.assign), so a send of n messages
 * copies about n²/(2 × partitions) array slots: in the HTTP ingress's heap
 * profile, a third of everything it allocated. The same groups, pushed.
 */
export function groupMessagesPerPartition(args: GroupingArgs): Record<number, Message[]> {
  const { topic, partitionMetadata, messages, partitioner } = args;
  const groups: Record<number, Message[]> = {};
  if (partitionMetadata.length === 0) return groups;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    const group = groups[partition];
    if (group === undefined) groups[partition] = [message];
    else group.push(message);
  }
  return groups;
}

/**
 * Puts groupMessagesPerPartition in kafkajs's place: kafkajs.ts does so
 * before it loads kafkajs, createKafka again with its logger, which then
 * warns if kafkajs had been loaded first and kept its own.
 */
export function installGrouping(log?: Logger): boolean {
  return installInPlaceOf(
    GROUPING_MODULE,
    () => groupMessagesPerPartition,
    log,
    'grouping of messages by partition',
  );
}

/** kafkajs's grouping as its sendMessages gets it: kafkajs's own unless installed. */
export function loadedGrouping(): (args: GroupingArgs) => Record<number, Message[]> {
  return loadKafkaJsModule(GROUPING_MODULE);
}
