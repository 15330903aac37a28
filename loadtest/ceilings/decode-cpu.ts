/**
 * The CPU the sink's per-message decode takes, alone: decodeMessage (size,
 * UTF-8, JSON, SPEC §1, the source header, the idempotency key: what every
 * Kafka message goes through before dedup) on N bench events as the sink
 * reads them, in rounds (cpu-rounds.ts).
 *
 *   node dist/loadtest/ceilings/decode-cpu.js [--messages 200000] [--rounds 6] [--base DIR]
 *
 * With --base, another build's decodeMessage (say a worktree of the last
 * commit, built) takes turns with this one's, round by round, and the
 * ratio of their medians is printed.
 */
import { loadConfig } from '../../src/config/load-config.js';
import type { EventRules } from '../../src/event/decode-event.js';
import { decodeMessage } from '../../src/sink/decode-message.js';
import {
  benchMessages,
  compareCpuPerMessage,
  importFromBuild,
  medianCpuPerMessage,
  runCpuTool,
} from './cpu-rounds.js';

const TOOL = {
  name: 'decode-cpu',
  summary: "The sink's decodeMessage alone, on the bench's events as the sink reads them.",
  extra: [
    {
      name: 'base',
      value: 'DIR',
      help: "another build's dist/ directory: its decodeMessage and this one's take turns, round by round, and the ratio of their medians is printed",
    },
  ],
};

type Decode = typeof decodeMessage;

await runCpuTool(TOOL, async ({ messages: count, rounds }, _read, given) => {
  const config = loadConfig({});
  const rules: EventRules = {
    window: { pastMs: config.ADGATE_ACCEPT_PAST_MS, futureMs: config.ADGATE_ACCEPT_FUTURE_MS },
    maxEventBytes: config.ADGATE_MAX_EVENT_BYTES,
  };
  const messages = benchMessages(count);
  const roundOf = (decode: Decode) => () => {
    let events = 0;
    for (const message of messages) {
      if (decode(message, rules).kind === 'event') events += 1;
    }
    if (events !== messages.length) throw new Error(`${messages.length - events} dead letters`);
  };
  const baseDir = given.given.get('base');
  if (baseDir === undefined) {
    const median = await medianCpuPerMessage(rounds, count, roundOf(decodeMessage));
    process.stdout.write(`decodeMessage: ${median.toFixed(2)} µs CPU per message (median)\n`);
    return;
  }
  const base = await importFromBuild<{ decodeMessage: Decode }>(
    baseDir,
    'src/sink/decode-message.js',
  );
  const compared = await compareCpuPerMessage(rounds, count, {
    base: roundOf(base.decodeMessage),
    current: roundOf(decodeMessage),
  });
  process.stdout.write(
    `decodeMessage: base ${compared.base.toFixed(2)} µs, this build ${compared.current.toFixed(2)} µs CPU per message (medians), ratio ${compared.ratio.toFixed(3)}\n`,
  );
});
