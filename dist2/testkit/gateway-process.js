import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { runCommand } from './run-command.js';
import { waitFor, within } from './wait-for.js';
const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
/**
 * Runs `adgate <args>` from dist/ to its end with only PATH and `env` in
 * its environment, so that nothing from the test runner's shell leaks in.
 */
export function runAdgate(args, env = {}, timeoutMs = 60_000) {
    return runCommand(process.execPath, [MAIN, ...args], {
        env: { PATH: process.env.PATH ?? '', ...env },
        timeoutMs,
    });
}
/** A port that was free a moment ago. */
export async function freePort() {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            server.close(() => typeof address === 'object' && address !== null
                ? resolve(address.port)
                : reject(new Error('no port')));
        });
    });
}
/** Runs `adgate serve` from dist/ in a child process, as production does. */
export async function startGatewayProcess(env, options = {}) {
    const port = options.port ?? (await freePort());
    const child = spawn(process.execPath, [MAIN, 'serve'], {
        env: {
            PATH: process.env.PATH ?? '',
            ADGATE_HTTP_HOST: '127.0.0.1',
            ADGATE_HTTP_PORT: String(port),
            ADGATE_LOG_LEVEL: 'info',
            ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (d) => {
        output += d.toString();
    });
    child.stderr?.on('data', (d) => {
        output += d.toString();
    });
    const exit = new Promise((resolve) => {
        child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    const url = `http://127.0.0.1:${port}`;
    const gateway = {
        port,
        url,
        child,
        output: () => output,
        exited: () => exit,
        async stop(signal = 'SIGTERM', timeoutMs = 60_000) {
            if (child.exitCode === null && child.signalCode === null)
                child.kill(signal);
            try {
                return await within(timeoutMs, `gateway exit after ${signal}`, exit);
            }
            catch (error) {
                child.kill('SIGKILL');
                throw error;
            }
        },
    };
    if (options.waitReady ?? true) {
        // A gateway that exits while starting fails the wait at once, not
        // after the whole timeout (waitFor retries a check that throws).
        const exitedEarly = exit.then(({ code, signal }) => {
            throw new Error(`gateway exited early (code ${code}, signal ${signal})`);
        });
        try {
            await Promise.race([
                exitedEarly,
                waitFor('gateway /readyz', async () => {
                    const res = await fetch(`${url}/readyz`).catch(() => undefined);
                    return res?.status === 200;
                }, 60_000, 100),
            ]);
        }
        catch (error) {
            child.kill('SIGKILL');
            throw new Error(`${error.message}\n--- gateway output ---\n${output.slice(-4000)}`);
        }
        finally {
            exitedEarly.catch(() => undefined);
        }
    }
    return gateway;
}
//# sourceMappingURL=gateway-process.js.map