/**
 * The CPU the sink's per-message decode takes, alone: decodeMessage (size,
 * UTF-8, JSON, SPEC §1, the source header, the idempotency key: what every
 * Kafka message goes through before dedup) on N bench events as the sink
 * reads them, in rounds (cpu-rounds.ts).
 *
 *   node dist/loadtest/ceilings/decode-cpu.js [--messages 200000] [--rounds 6]
 */
import { loadConfig } from '../../src/config/load-config.js';
import type { EventRules } from '../../src/event/decode-event.js';
import { decodeMessage } from '../../src/sink/decode-message.js';
import { benchMessages, medianCpuPerMessage, runCpuTool } from './cpu-rounds.js';

const TOOL = {
  name: 'decode-cpu',
  summary: "The sink's decodeMessage alone, on the bench's events as the sink reads them.",
};

await runCpuTool(TOOL, async ({ messages: count, rounds }) => {
  const config = loadConfig({});
  const rules: EventRules = {
    window: { pastMs: config.ADGATE_ACCEPT_PAST_MS, futureMs: config.ADGATE_ACCEPT_FUTURE_MS },
    maxEventBytes: config.ADGATE_MAX_EVENT_BYTES,
  };
  const messages = benchMessages(count);
  const median = await medianCpuPerMessage(rounds, count, () => {
    let events = 0;
    for (const message of messages) {
      if (decodeMessage(message, rules).kind === 'event') events += 1;
    }
    if (events !== messages.length) throw new Error(`${messages.length - events} dead letters`);
  });
  process.stdout.write(`decodeMessage: ${median.toFixed(2)} µs CPU per message (median)\n`);
});
