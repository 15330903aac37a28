import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runAdgate } from '../../testkit/gateway-process.js';
import { runCommand } from '../../testkit/run-command.js';
// From dist/test/integration/ to the repository's scripts/.
const STACK = fileURLToPath(new URL('../../../scripts/stack.sh', import.meta.url));
const KAFKA_PORT = process.env.KAFKA_PORT ?? '9092';
const PGPORT = process.env.PGPORT ?? '5432';
const REDIS_PORT = process.env.REDIS_PORT ?? '6379';
// The stack is shared with every other test file and engineer: this file
// runs `up` and `status` only, never `down`.
function stack(...args) {
    // A cold `up` may fetch jars and wait up to KAFKA_START_TIMEOUT_S (90 s).
    return runCommand('bash', [STACK, ...args], { timeoutMs: 300_000 });
}
function show(result) {
    return `exit ${result.code}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`;
}
describe('scripts/stack.sh: the local stack', () => {
    it('`up` twice in a row both exit 0, and the second reuses every component and says so', async () => {
        const first = await stack('up');
        assert.equal(first.code, 0, show(first));
        const second = await stack('up');
        assert.equal(second.code, 0, show(second));
        const out = second.stdout;
        assert.match(out, /^stack: kafka: (already running \(pid \d+\)|a broker already answers) on 127\.0\.0\.1:\d+/m, show(second));
        assert.match(out, /^stack: postgres: already running on 127\.0\.0\.1:\d+/m, show(second));
        assert.match(out, /^stack: redis: already running on 127\.0\.0\.1:\d+/m, show(second));
        // Nothing was started, installed, fetched or created the second time.
        assert.doesNotMatch(out, /starting|installing|fetching|formatting|creating/i, show(second));
        assert.match(out, /^stack: up: all components ready/m, show(second));
    });
    it('`status` exits 0 and reports kafka, postgres and redis up with their ports', async () => {
        const status = await stack('status');
        assert.equal(status.code, 0, show(status));
        assert.match(status.stdout, new RegExp(`^kafka +up +127\\.0\\.0\\.1:${KAFKA_PORT}\\b`, 'm'));
        assert.match(status.stdout, new RegExp(`^postgres +up +127\\.0\\.0\\.1:${PGPORT}\\b`, 'm'));
        assert.match(status.stdout, new RegExp(`^redis +up +127\\.0\\.0\\.1:${REDIS_PORT}\\b`, 'm'));
        assert.doesNotMatch(status.stdout, /\bdown\b/);
    });
    it('`adgate stack status` runs the same script and passes its exit code through', async () => {
        const status = await runAdgate(['stack', 'status']);
        assert.equal(status.code, 0, show(status));
        assert.match(status.stdout, /^kafka +up /m, show(status));
    });
    it('`--help` exits 0 with the usage; an unknown subcommand or extra argument exits non-zero', async () => {
        const help = await stack('--help');
        assert.equal(help.code, 0, show(help));
        assert.match(help.stdout, /^usage: scripts\/stack\.sh up\|down\|status/m);
        for (const line of ['up ', 'down ', 'status '])
            assert.ok(help.stdout.includes(line), line);
        const unknown = await stack('restart-everything');
        assert.notEqual(unknown.code, 0, show(unknown));
        assert.match(unknown.stderr, /unknown command: restart-everything/);
        const none = await stack();
        assert.notEqual(none.code, 0, show(none));
        // Rejected before anything runs: `up` is not executed with a stray argument.
        const extra = await stack('status', 'now');
        assert.notEqual(extra.code, 0, show(extra));
        assert.match(extra.stderr, /unexpected arguments: now/);
    });
});
//# sourceMappingURL=local-stack.test.js.map