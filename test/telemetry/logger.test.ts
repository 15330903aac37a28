import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { context, TraceFlags, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AdgateError } from '../../src/errors/adgate-error.js';
import { createLogger, type LogLevel } from '../../src/telemetry/logger.js';
import { runCommand } from '../../testkit/run-command.js';

function capture(level: LogLevel = 'debug', base = {}) {
  const lines: string[] = [];
  const log = createLogger(level, base, (line) => lines.push(line));
  const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log, lines, records };
}

describe('logger (pino)', () => {
  it('writes one JSON object per line: level by name, ISO time, msg, the fields', () => {
    const { log, lines, records } = capture('info', { component: 'sink' });
    log.debug('not at info');
    log.info('partitions assigned', { partitions: [0, 1] });
    log.child({ partition: 2 }).warn('slow', { ms: 5 });
    assert.equal(lines.length, 2);
    for (const line of lines) assert.ok(line.endsWith('}\n') && !line.slice(0, -1).includes('\n'));
    const [info, warn] = records();
    assert.equal(info?.level, 'info');
    assert.equal(info?.msg, 'partitions assigned');
    assert.deepEqual(info?.partitions, [0, 1]);
    assert.equal(info?.component, 'sink');
    assert.equal(new Date(info?.time as string).toISOString(), info?.time);
    assert.equal(info?.pid, undefined, 'no pid or hostname');
    assert.deepEqual(
      [warn?.level, warn?.partition, warn?.ms, warn?.component],
      ['warn', 2, 5, 'sink'],
    );
    // What test/support/gateway-logs.ts and the CLI tests match on: the
    // earlier logger's order, msg before the bindings and the fields.
    assert.match(lines[1] as string, /"level":"warn"/);
    assert.ok(
      lines[0]?.includes('"msg":"partitions assigned","component":"sink","partitions":[0,1]'),
    );
  });

  it('writes errors with their stack, reason and cause, and lifts the reason to the line', () => {
    const { log, records } = capture();
    const cause = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const error = new AdgateError('postgres_unavailable', 'PostgreSQL unavailable', {
      retriable: true,
      cause,
    });
    log.warn('retrying', { error });
    log.error('explicit', { reason: 'kafka_rejected', error });
    const [first, second] = records();
    const logged = first?.error as Record<string, unknown>;
    assert.equal(logged.reason, 'postgres_unavailable');
    assert.equal(logged.message, 'PostgreSQL unavailable');
    assert.match(logged.stack as string, /logger\.test\.js/);
    const loggedCause = logged.cause as Record<string, unknown>;
    assert.equal(loggedCause.code, 'ECONNREFUSED');
    assert.match(loggedCause.stack as string, /ECONNREFUSED/);
    assert.equal(first?.reason, 'postgres_unavailable', 'the metric label token, at the top');
    assert.equal(second?.reason, 'kafka_rejected', 'a reason given by the caller wins');
  });

  it('writes BigInt as its digits and cuts circular references instead of throwing', () => {
    const { log, records } = capture();
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    const shared = { n: 1 };
    log.info('odd values', { offset: 18446744073709551615n, loop, pair: [shared, shared] });
    const [line] = records();
    assert.equal(line?.offset, '18446744073709551615');
    assert.deepEqual(line?.loop, { name: 'loop', self: '[circular]' });
    assert.deepEqual(line?.pair, [{ n: 1 }, { n: 1 }], 'the same object twice is no cycle');
  });

  it('redacts authorization and secrets, at any depth, in fields, arrays, causes and bindings', () => {
    const { log, lines } = capture();
    log.child({ password: 'hunter2' }).info('request', {
      authorization: 'Bearer top-secret-key',
      headers: { authorization: 'Bearer nested-secret-key', 'content-type': 'application/json' },
      config: { ADGATE_API_KEYS: 'ads:ingest:key-in-config', ADGATE_TOPIC: 'ad-events' },
      attempts: [{ request: { options: { token: 'deep-token' } } }],
      error: new Error('login failed', {
        cause: { code: 'EAUTH', options: { secret: 'in-a-cause' } },
      }),
    });
    const text = lines.join('');
    const secrets = ['top-secret-key', 'nested-secret-key', 'key-in-config', 'hunter2'];
    for (const secret of [...secrets, 'deep-token', 'in-a-cause']) {
      assert.ok(!text.includes(secret), `${secret} redacted: ${text}`);
    }
    assert.match(text, /"authorization":"\[redacted\]"/);
    assert.match(text, /"ADGATE_TOPIC":"ad-events"/, 'the rest is kept');
    assert.match(text, /"token":"\[redacted\]"/, 'four levels down');
    assert.match(text, /"code":"EAUTH"/, "the cause's other fields are kept");
  });

  it('adds trace_id and span_id to lines written inside a sampled span', () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    try {
      const { log, records } = capture();
      const ids = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };
      const sampled = trace.wrapSpanContext({ ...ids, traceFlags: TraceFlags.SAMPLED });
      const dropped = trace.wrapSpanContext({ ...ids, traceFlags: TraceFlags.NONE });
      context.with(trace.setSpan(context.active(), sampled), () => log.info('inside'));
      context.with(trace.setSpan(context.active(), dropped), () => log.info('not sampled'));
      log.info('outside');
      const [inside, notSampled, outside] = records();
      assert.equal(inside?.trace_id, ids.traceId);
      assert.equal(inside?.span_id, ids.spanId);
      assert.equal(notSampled?.trace_id, undefined);
      assert.equal(outside?.trace_id, undefined);
    } finally {
      context.disable();
    }
  });

  it('on stdout: JSON when it is not a terminal, pino-pretty with ADGATE_LOG_FORMAT=pretty', async () => {
    const logger = fileURLToPath(new URL('../../src/telemetry/logger.js', import.meta.url));
    const script = (format: string) =>
      `import { createLogger } from ${JSON.stringify(logger)};` +
      `createLogger('info', {}, undefined, ${format}).info('hello', { reason: 'too_large' });`;
    const run = (format: string) =>
      runCommand(process.execPath, ['--input-type=module', '-e', script(format)], {
        timeoutMs: 30_000,
      });
    const json = await run('undefined');
    assert.equal(json.code, 0, json.stderr);
    const record = JSON.parse(json.stdout) as Record<string, unknown>;
    assert.deepEqual([record.level, record.msg, record.reason], ['info', 'hello', 'too_large']);
    const pretty = await run("'pretty'");
    assert.equal(pretty.code, 0, pretty.stderr);
    assert.match(pretty.stdout, /INFO.*hello/);
    assert.match(pretty.stdout, /reason: "too_large"/);
    assert.ok(!pretty.stdout.trimStart().startsWith('{'), pretty.stdout);
  });
});
