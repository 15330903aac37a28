import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load-config.js';
import { startGateway } from '../../src/create-gateway.js';
import { freePort } from '../../testkit/gateway-process.js';
import { waitFor } from '../../testkit/wait-for.js';
import { createTestPipeline } from '../support/pipeline.js';
import { quietLog } from '../support/services.js';
// A start that fails after it opened Redis, the pool and timers must close
// them: otherwise the process cannot exit by itself, and an embedding
// caller (or a test) leaks a connection per failed start.
const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
describe('a start that fails midway closes what it opened', () => {
    let pipeline;
    let blocker;
    let port;
    before(async () => {
        pipeline = await createTestPipeline({ partitions: 1 });
        port = await freePort();
        blocker = createServer();
        await new Promise((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    });
    after(async () => {
        await new Promise((resolve) => blocker?.close(resolve));
        await pipeline?.cleanup();
    });
    it('the HTTP port is taken: startGateway rejects, and no socket of it stays open', async () => {
        const config = loadConfig({
            ...pipeline.env,
            ADGATE_HTTP_HOST: '127.0.0.1',
            ADGATE_HTTP_PORT: String(port),
        });
        const baseline = sockets();
        await assert.rejects(startGateway(config, quietLog), /EADDRINUSE/);
        await waitFor(`the sockets it opened (Redis, Kafka admin) to close (baseline ${baseline})`, () => sockets() <= baseline, 15_000);
    });
});
//# sourceMappingURL=start-cleanup.test.js.map