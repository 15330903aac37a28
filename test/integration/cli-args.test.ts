import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { runAdgate } from '../../testkit/gateway-process.js';
import type { CommandResult } from '../../testkit/run-command.js';
import { within } from '../../testkit/wait-for.js';

function show(result: CommandResult): string {
  return `exit ${result.code} (signal ${result.signal})\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`;
}

// A bad variable in every run: parsing the command line needs no valid
// configuration, and a run that got past it would fail on it, not hang.
const BAD_ENV = { ADGATE_HTTP_PORT: 'abc' };

describe('adgate drain: --key=KEY and --key KEY', () => {
  // What `adgate drain` asks for is all that is checked here (the drain
  // itself is drain.test.ts's), so a plain HTTP server stands in for the
  // instance and records each request.
  let server: Server;
  let url: string;
  const seen: { method?: string; path?: string; authorization?: string }[] = [];

  before(async () => {
    server = createServer((req: IncomingMessage, res) => {
      seen.push({ method: req.method, path: req.url, authorization: req.headers.authorization });
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end('{"state":"draining"}');
    });
    server.listen(0, '127.0.0.1');
    await within(10_000, 'the stand-in server to listen', once(server, 'listening'));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await within(10_000, 'the stand-in server to close', new Promise((r) => server.close(r)));
  });

  const forms: { name: string; args: (url: string) => string[] }[] = [
    { name: '--key=abc --url=URL', args: (u) => ['drain', '--key=abc', `--url=${u}`] },
    { name: '--key abc --url URL', args: (u) => ['drain', '--key', 'abc', '--url', u] },
  ];
  for (const form of forms) {
    it(`adgate drain ${form.name} posts /admin/drain with that key`, async () => {
      seen.length = 0;
      const result = await runAdgate(form.args(url), BAD_ENV);
      assert.equal(result.code, 0, show(result));
      assert.equal(result.stdout, '{"state":"draining"}\n', show(result));
      assert.deepEqual(seen, [
        { method: 'POST', path: '/admin/drain', authorization: 'Bearer abc' },
      ]);
    });
  }

  it('adgate drain without --key exits 2 with the usage, and asks nothing', async () => {
    seen.length = 0;
    const result = await runAdgate(['drain', `--url=${url}`], BAD_ENV);
    assert.equal(result.code, 2, show(result));
    assert.match(result.stderr, /drain needs --key/, show(result));
    assert.match(result.stderr, /^Usage: adgate drain/m, show(result));
    assert.deepEqual(seen, []);
  });
});

describe('adgate <command>: -h and unknown options', () => {
  const usages: Record<string, RegExp> = {
    serve: /^Usage: adgate serve/m,
    migrate: /^Usage: adgate migrate/m,
    drain: /^Usage: adgate drain/m,
    stack: /^Usage: adgate stack/m,
  };
  for (const [command, usage] of Object.entries(usages)) {
    it(`adgate ${command} -h exits 0 and prints its usage`, async () => {
      const result = await runAdgate([command, '-h'], BAD_ENV);
      assert.equal(result.code, 0, show(result));
      assert.match(result.stdout, usage, show(result));
      assert.equal(result.stderr, '', show(result));
    });

    it(`adgate ${command} --bogus exits 2, names the option and prints the usage`, async () => {
      const result = await runAdgate([command, '--bogus'], BAD_ENV);
      assert.equal(result.code, 2, show(result));
      assert.match(result.stderr, /^adgate: .*'--bogus'/m, show(result));
      assert.match(result.stderr, usage, show(result));
      assert.equal(result.stdout, '', show(result));
    });
  }

  it('a command that takes no arguments refuses one', async () => {
    const result = await runAdgate(['migrate', 'now'], BAD_ENV);
    assert.equal(result.code, 2, show(result));
    assert.match(result.stderr, /'now'/, show(result));
    assert.match(result.stderr, /^Usage: adgate migrate/m, show(result));
  });
});
