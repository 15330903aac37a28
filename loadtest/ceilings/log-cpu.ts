/**
 * The CPU one log line takes, alone: the sink's "dead letter" line (one per
 * dead letter, so a poison-pill storm writes one a message) through
 * createLogger, as the gateway writes it but into a discarding sink, so
 * that neither stdout nor the terminal is measured. In rounds
 * (cpu-rounds.ts), per line.
 *
 *   node dist/loadtest/ceilings/log-cpu.js [--messages 200000] [--rounds 6]
 */
import { createLogger } from '../../src/telemetry/logger.js';
import { medianCpuPerMessage, runCpuTool } from './cpu-rounds.js';

const TOOL = {
  name: 'log-cpu',
  summary: "The sink's dead-letter log line alone, through adgate's logger, written nowhere.",
};

await runCpuTool(TOOL, async ({ messages: lines, rounds }) => {
  let bytes = 0;
  const log = createLogger('info', { component: 'sink' }, (line) => {
    bytes += line.length;
  });
  const median = await medianCpuPerMessage(rounds, lines, () => {
    for (let i = 0; i < lines; i += 1) {
      // The fields of send-dead-letters.ts's line, with a live offset.
      log.info('dead letter', {
        reason: 'invalid',
        error: 'occurred_at: must be an RFC 3339 timestamp with an offset',
        partition: i % 6,
        offset: String(i),
        attempts: 1,
      });
    }
  });
  if (bytes === 0) throw new Error('the logger wrote nothing');
  process.stdout.write(`log line: ${median.toFixed(2)} µs CPU per line (median)\n`);
});
