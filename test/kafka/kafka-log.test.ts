import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRoutineRebalance } from '../../src/kafka/create-kafka.js';

describe('kafkajs log entries', () => {
  it('treats heartbeats refused during a rebalance as routine, not as errors', () => {
    // The fields of two lines kafkajs 2.2.4 logged during a rolling restart.
    assert.equal(
      isRoutineRebalance({
        broker: '127.0.0.1:9092',
        error: 'The group is rebalancing, so a rejoin is needed',
        correlationId: 9,
        size: 10,
      }),
      true,
    );
    assert.equal(
      isRoutineRebalance({
        groupId: 'g.sink',
        error: 'The group is rebalancing, so a rejoin is needed',
      }),
      true,
    );
  });

  it('keeps other failures as they are', () => {
    assert.equal(isRoutineRebalance({ error: 'Connection error: connect ECONNREFUSED' }), false);
    assert.equal(isRoutineRebalance({}), false);
  });
});
