import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { killGroupOnExit } from './kill-groups-on-exit.js';
import { type CommandResult, runCommand } from './run-command.js';
import { waitFor, within } from './wait-for.js';

const MAIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

/**
 * Runs `adgate <args>` from dist/ to its end with only PATH and `env` in
 * its environment, so that nothing from the test runner's shell leaks in.
 */
export function runAdgate(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<CommandResult> {
  return runCommand(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    timeoutMs,
  });
}

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export interface GatewayProcess {
  readonly port: number;
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it printed, for assertions and for failure reports. */
  output(): string;
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /**
   * Sends a signal: SIGKILL to every process of the instance (its workers
   * too), as a crash of the machine or the container does; any other only
   * to the main process, as a supervisor does (SPEC §7).
   */
  kill(signal: NodeJS.Signals): void;
  /** The pids of its worker processes by name (`sink-0`…), read from /proc. */
  workers(): Promise<Map<string, number>>;
  /** Sends a signal (as kill does) and waits (bounded) for the exit. */
  stop(
    signal?: NodeJS.Signals,
    timeoutMs?: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `adgate serve` from dist/ in a child process, as production does. */
export async function startGatewayProcess(
  env: Record<string, string>,
  options: { waitReady?: boolean; port?: number } = {},
): Promise<GatewayProcess> {
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
    // Its own process group, so that a SIGKILL can take all its workers.
    detached: true,
  });
  killGroupOnExit(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const url = `http://127.0.0.1:${port}`;
  const kill = (signal: NodeJS.Signals) => {
    if (signal !== 'SIGKILL' || child.pid === undefined) return void child.kill(signal);
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // The group is gone already.
    }
  };
  const gateway: GatewayProcess = {
    port,
    url,
    child,
    output: () => output,
    exited: () => exit,
    kill,
    workers: () => workerPids(child.pid),
    async stop(signal = 'SIGTERM', timeoutMs = 60_000) {
      if (child.exitCode === null && child.signalCode === null) kill(signal);
      try {
        return await within(timeoutMs, `gateway exit after ${signal}`, exit);
      } catch (error) {
        kill('SIGKILL');
        throw error;
      } finally {
        // Workers orphaned by a main process that died first go with it.
        if (signal === 'SIGKILL') kill('SIGKILL');
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
        waitFor(
          'gateway /readyz, and every worker ready',
          async () => {
            const res = await fetch(`${url}/readyz`).catch(() => undefined);
            return res?.status === 200 && (await instanceReady(url));
          },
          60_000,
          100,
        ),
      ]);
    } catch (error) {
      kill('SIGKILL');
      throw new Error(
        `${(error as Error).message}\n--- gateway output ---\n${output.slice(-4000)}`,
      );
    } finally {
      exitedEarly.catch(() => undefined);
    }
  }
  return gateway;
}

/**
 * /readyz is answered by an HTTP worker, which is ready before the sink
 * workers have started (src/workers/): the instance is ready when the
 * process that speaks for it, a single one or the supervisor, says so on
 * /metrics (whatever the log level).
 */
async function instanceReady(url: string): Promise<boolean> {
  const res = await fetch(`${url}/metrics`).catch(() => undefined);
  if (res?.status !== 200) return false;
  return /^adgate_lifecycle_state\{(worker="supervisor",)?state="ready"\} 1$/m.test(
    await res.text(),
  );
}

/** The children of `pid` that are adgate workers, by the name their command line gives. */
async function workerPids(pid: number | undefined): Promise<Map<string, number>> {
  const workers = new Map<string, number>();
  if (pid === undefined) return workers;
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  for (const child of children.split(' ').filter((p) => p !== '')) {
    const args = (await readFile(`/proc/${child}/cmdline`, 'utf8').catch(() => '')).split('\0');
    const kind = args[args.indexOf('--worker') + 1];
    const index = args[args.indexOf('--worker-index') + 1];
    if (args.includes('--worker')) workers.set(`${kind}-${index}`, Number(child));
  }
  return workers;
}
