import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../testkit/gateway-process.js';
import { waitFor, within } from '../../testkit/wait-for.js';

// A private Prometheus (Debian's package, scripts/ensure-prometheus.sh) on a
// free loopback port with a data directory of its own, scraping the given
// targets every second and evaluating `ruleFiles` every second.

export interface PrometheusServer {
  readonly url: string;
  output(): string;
  /** An instant query; throws on a parse or evaluation error. */
  query(expr: string): Promise<PromSeries[]>;
  rules(): Promise<PromRule[]>;
  /** SIGTERM, bounded; SIGKILL past the timeout. Removes the data directory. */
  stop(timeoutMs?: number): Promise<void>;
}

export interface PromSeries {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

export interface PromRule {
  readonly name: string;
  readonly query: string;
  readonly type: string;
  readonly state?: string;
  readonly health: string;
  readonly lastError?: string;
}

export async function startPrometheus(options: {
  targets: readonly string[];
  ruleFiles: readonly string[];
  job?: string;
}): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'adgate-prometheus-'));
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: options.ruleFiles,
    scrape_configs: [
      { job_name: options.job ?? 'adgate', static_configs: [{ targets: options.targets }] },
    ],
  };
  // JSON is YAML: no YAML writer needed.
  await writeFile(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
  const port = await freePort();
  const child = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1h',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) =>
      reject(new Error(`${error.message} (bash scripts/ensure-prometheus.sh installs it)`)),
    );
  });
  const url = `http://127.0.0.1:${port}`;
  const server = createHandle(url, child, exited, dir, () => output);
  try {
    await spawned;
    await waitFor(
      'prometheus /-/ready',
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited:\n${output.slice(-3000)}`);
        return (await fetch(`${url}/-/ready`).catch(() => undefined))?.status === 200;
      },
      60_000,
      100,
    );
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

function createHandle(
  url: string,
  child: ChildProcess,
  exited: Promise<void>,
  dir: string,
  output: () => string,
): PrometheusServer {
  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${url}${path}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? response.status}`);
    return body.data;
  };
  let stopping: Promise<void> | undefined;
  return {
    url,
    output,
    async query(expr) {
      const data = await api<{ result: PromSeries[] }>(
        `/api/v1/query?query=${encodeURIComponent(expr)}`,
      );
      return data.result;
    },
    async rules() {
      const data = await api<{ groups: { rules: PromRule[] }[] }>('/api/v1/rules');
      return data.groups.flatMap((g) => g.rules);
    },
    stop(timeoutMs = 30_000) {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        try {
          await within(timeoutMs, 'prometheus exit after SIGTERM', exited);
        } catch (error) {
          child.kill('SIGKILL');
          await within(10_000, 'prometheus exit after SIGKILL', exited);
          throw error;
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      })();
      return stopping;
    },
  };
}
