import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Admin } from 'kafkajs';
import {
  installQuietRequestQueue,
  loadedRequestQueue,
  type QueueState,
  scheduleCheckPendingRequests,
} from '../../src/kafka/quiet-request-queue.js';
import { within } from '../../testkit/wait-for.js';
import { KAFKA_BROKERS, quietLog } from '../support/services.js';

// Nothing has installed the stand-in yet in this process (this file
// imports neither kafkajs.ts nor create-kafka.ts at its top): kafkajs's
// own method, the reference.
const kafkaJsOwn = loadedRequestQueue().prototype.scheduleCheckPendingRequests as (
  this: QueueState,
) => void;

/** A queue's state as kafkajs's RequestQueue holds it; `checked` resolves at its first check. */
function queue(pending: unknown[], throttledUntil = -1) {
  let checkedAt: (ms: number) => void = () => undefined;
  const checked = new Promise<number>((resolve) => {
    checkedAt = resolve;
  });
  const state: QueueState & { checks: number } = {
    pending,
    throttledUntil,
    throttleCheckTimeoutId: null,
    checks: 0,
    checkPendingRequests() {
      state.checks += 1;
      checkedAt(Date.now());
    },
  };
  return { state, checked };
}

describe("the request queue's check: a timer only while a request is held back", () => {
  it('sets none when nothing waits, where kafkajs 2.2.4 sets a 1 ms one', () => {
    const ours = queue([]);
    scheduleCheckPendingRequests.call(ours.state);
    assert.equal(ours.state.throttleCheckTimeoutId, null);

    const theirs = queue([]);
    kafkaJsOwn.call(theirs.state);
    assert.notEqual(theirs.state.throttleCheckTimeoutId, null);
    clearTimeout(theirs.state.throttleCheckTimeoutId ?? undefined);
  });

  it('checks a request held back by in-flight ones, once, from one timer', async () => {
    const { state, checked } = queue([{}]);
    scheduleCheckPendingRequests.call(state);
    const timer = state.throttleCheckTimeoutId;
    assert.notEqual(timer, null);
    scheduleCheckPendingRequests.call(state);
    assert.equal(state.throttleCheckTimeoutId, timer, 'a second call sets no second timer');
    await checked;
    assert.equal(state.checks, 1);
    assert.equal(state.throttleCheckTimeoutId, null);
  });

  it('checks a request held back by throttling when the throttle ends, not before', async () => {
    const throttledUntil = Date.now() + 60;
    const { state, checked } = queue([{}], throttledUntil);
    scheduleCheckPendingRequests.call(state);
    // Timers may fire up to a millisecond early by Date.now()'s rounding.
    assert.ok((await checked) >= throttledUntil - 1);
  });
});

describe("kafkajs's connections, with the stand-in installed (the shared broker)", () => {
  let admin: Admin | undefined;
  const prototype = loadedRequestQueue().prototype as unknown as {
    checkPendingRequests(this: QueueState): void;
  };
  const ownCheck = prototype.checkPendingRequests;
  after(async () => {
    prototype.checkPendingRequests = ownCheck;
    if (admin !== undefined) await within(30_000, 'admin disconnect', admin.disconnect());
  });

  it('leave no timer set once their requests are answered', async () => {
    const { createKafka } = await import('../../src/kafka/create-kafka.js');
    const kafka = createKafka(
      { clientId: 'adgate-test', brokers: KAFKA_BROKERS.split(',') },
      quietLog,
    );
    // Every queue checks itself when an answer comes: that is where they are found.
    const queues = new Set<QueueState>();
    prototype.checkPendingRequests = function (this: QueueState) {
      queues.add(this);
      ownCheck.call(this);
    };
    admin = kafka.admin();
    await admin.connect();
    await admin.listTopics();
    await admin.fetchTopicMetadata({ topics: [] });
    assert.ok(queues.size > 0, 'no request queue answered');
    for (const q of queues) assert.equal(q.throttleCheckTimeoutId, null);
    assert.equal(installQuietRequestQueue(), true);
  });
});
