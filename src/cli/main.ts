#!/usr/bin/env node
// First, for its side effect: before any other module loads.
import './hold-young-generation.js';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type Config, loadConfig } from '../config/load-config.js';
import { AdgateError, errorMessage } from '../errors/adgate-error.js';
import { createConfiguredLogger, type Logger } from '../telemetry/logger.js';
import {
  planWorkers,
  type WorkerPlan,
  type WorkerSpec,
  workerName,
} from '../workers/plan-workers.js';
import { DRAIN_HELP, MAIN_HELP, MIGRATE_HELP, SERVE_HELP, STACK_HELP } from './help.js';
import { releaseYoungGeneration } from './hold-young-generation.js';
import { limitHeapGrowth } from './limit-heap-growth.js';
import { UsageError } from './usage-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

interface Command {
  readonly help: string;
  /** Its options besides --help/-h, which every command takes. */
  readonly options: Options;
  /** Whether it takes arguments that are not options (only `stack`, for stack.sh). */
  readonly positionals?: boolean;
  run(values: Values, positionals: readonly string[]): Promise<void>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  serve: {
    help: SERVE_HELP,
    options: { worker: { type: 'string' }, 'worker-index': { type: 'string' } },
    run: serveCommand,
  },
  migrate: { help: MIGRATE_HELP, options: {}, run: migrateCommand },
  drain: {
    help: DRAIN_HELP,
    options: { url: { type: 'string' }, key: { type: 'string' } },
    run: drainCommand,
  },
  stack: { help: STACK_HELP, options: {}, positionals: true, run: stackCommand },
};

const VERB_COMMANDS: Readonly<
  Record<string, (args: readonly string[], config: typeof loadConfigOrExit) => Promise<number>>
> = {
  // Loaded when called, so that a worker's supervisor does not carry them.
  dlq: async (args, config) => (await import('./dlq-command.js')).runDlqCommand(args, config),
  offsets: async (args, config) =>
    (await import('./offsets-command.js')).runOffsetsCommand(args, config),
};

/** Exit 1 for a failure, 2 for a command line that is wrong (with the usage). */
function fail(message: string, code = 1): never {
  process.stderr.write(`adgate: ${message}\n`);
  process.exit(code);
}

function loadConfigOrExit() {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof AdgateError) fail(error.message);
    throw error;
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const [name, ...args] = argv;
  // Only a supervisor keeps its young generation small (serveCommand).
  if (name !== 'serve') releaseYoungGeneration();
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(MAIN_HELP);
    return;
  }
  // dlq and offsets have verbs, each with its own options and --help.
  const withVerbs = VERB_COMMANDS[name];
  if (withVerbs !== undefined) process.exit(await withVerbs(args, loadConfigOrExit));
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) fail(`unknown command "${name}"\n\n${MAIN_HELP}`, 2);
  const { values, positionals } = parseCommandLine(command, args);
  if (values.help === true) {
    process.stdout.write(command.help);
    return;
  }
  await command.run(values, positionals);
}

/** node:util's parseArgs: `--key=abc` and `--key abc` alike; anything unknown is an error. */
function parseCommandLine(command: Command, args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.positionals ?? false,
      strict: true,
    });
  } catch (error) {
    fail(`${errorMessage(error)}\n\n${command.help}`, 2);
  }
}

/**
 * `adgate serve`: one process, or a supervisor and its workers
 * (src/workers/plan-workers.ts). `--worker` is how the supervisor starts
 * a worker; nobody else needs it.
 */
async function serveCommand(values: Values): Promise<void> {
  const config = loadConfigOrExit();
  limitHeapGrowth();
  const log = createConfiguredLogger(config);
  const plan = planOrExit(config);
  const supervisor = plan.mode === 'workers' && typeof values.worker !== 'string';
  if (!supervisor) releaseYoungGeneration();
  // Each kind of process imports only its own part: the supervisor neither
  // the gateway (kafkajs, ioredis, hono, the pipeline) nor a worker's
  // runner, a worker not the supervisor; what one loads stays resident for
  // its whole life.
  if (typeof values.worker === 'string') {
    const spec = workerSpecOrExit(plan, values.worker, values['worker-index']);
    const [{ runWorker }, { startGateway }] = await Promise.all([
      import('../workers/run-worker.js'),
      import('../create-gateway.js'),
    ]);
    await runWorker(config, spec, log.child({ worker: workerName(spec) }), startGateway);
    return;
  }
  if (plan.mode === 'workers') {
    await migrateOnStart(config, log);
    const { superviseWorkers } = await import('../workers/supervise-workers.js');
    superviseWorkers(config, plan.workers, log);
    return;
  }
  const [{ runServe }, { startGateway }] = await Promise.all([
    import('./serve.js'),
    import('../create-gateway.js'),
  ]);
  const single = Object.freeze({ ...config, ADGATE_ROLES: [...plan.roles] });
  await runServe(single, log, startGateway);
}

function planOrExit(config: Config): WorkerPlan {
  try {
    return planWorkers({
      roles: config.ADGATE_ROLES,
      ingressWorkers: config.ADGATE_INGRESS_WORKERS,
      sinkWorkers: config.ADGATE_SINK_WORKERS,
      singleProcess: config.ADGATE_SINGLE_PROCESS,
    });
  } catch (error) {
    fail(errorMessage(error));
  }
}

function workerSpecOrExit(plan: WorkerPlan, kind: string, index: unknown): WorkerSpec {
  const spec =
    plan.mode === 'workers'
      ? plan.workers.find((w) => w.kind === kind && String(w.index) === index)
      : undefined;
  if (spec === undefined) fail(`no worker "${kind}" "${String(index)}" in this configuration`, 2);
  return spec;
}

/** The supervisor migrates before it forks, so that no two workers race to. */
async function migrateOnStart(config: Config, log: Logger): Promise<void> {
  if (!config.ADGATE_MIGRATE_ON_START) return;
  try {
    const { migrate } = await import('../store/migrate.js');
    const result = await migrate(config.ADGATE_DATABASE_URL, log);
    log.info('migrations', {
      applied: result.applied.length,
      alreadyApplied: result.alreadyApplied,
    });
  } catch (error) {
    log.error('adgate failed to start', { error });
    process.exit(1);
  }
}

async function migrateCommand(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createConfiguredLogger(config);
  const { migrate } = await import('../store/migrate.js');
  const result = await migrate(config.ADGATE_DATABASE_URL, log);
  log.info('migrations done', { applied: result.applied, alreadyApplied: result.alreadyApplied });
}

async function drainCommand(values: Values): Promise<void> {
  const url = typeof values.url === 'string' ? values.url : 'http://127.0.0.1:8080';
  const key = typeof values.key === 'string' && values.key !== '' ? values.key : undefined;
  if (key === undefined) fail(`drain needs --key with an admin-scoped API key\n\n${DRAIN_HELP}`, 2);
  const response = await fetch(new URL('/admin/drain', url), {
    method: 'POST',
    headers: { authorization: `Bearer ${key}` },
  }).catch((error: unknown) => fail(`cannot reach ${url}: ${errorMessage(error)}`));
  const body = await response.text();
  if (!response.ok) fail(`${response.status} ${body}`);
  process.stdout.write(`${body}\n`);
}

async function stackCommand(_values: Values, positionals: readonly string[]): Promise<void> {
  if (positionals.length === 0) fail(`stack needs up, down or status\n\n${STACK_HELP}`, 2);
  const script = join(
    dirname(fileURLToPath(import.meta.url)),
    '..',
    '..',
    '..',
    'scripts',
    'stack.sh',
  );
  const result = spawnSync('bash', [script, ...positionals], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // A verb's command line that is wrong: exit 2, as for the commands' own options.
  const parseError = (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
  if (error instanceof UsageError || parseError) fail((error as Error).message, 2);
  fail(error instanceof AdgateError ? `${error.reason}: ${error.message}` : errorMessage(error));
});
