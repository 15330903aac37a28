#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/load-config.js';
import { startGateway } from '../create-gateway.js';
import { AdgateError, errorMessage } from '../errors/adgate-error.js';
import { migrate } from '../store/migrate.js';
import { createLogger } from '../telemetry/logger.js';
import { runDlqCommand, UsageError } from './dlq-command.js';
import { DRAIN_HELP, MAIN_HELP, MIGRATE_HELP, SERVE_HELP, STACK_HELP } from './help.js';
import { limitHeapGrowth } from './limit-heap-growth.js';
import { runOffsetsCommand } from './offsets-command.js';
import { runServe } from './serve.js';

const [command, ...args] = process.argv.slice(2);
const wantsHelp = args.includes('--help') || args.includes('-h');

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

async function main(): Promise<void> {
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(MAIN_HELP);
      return;
    case 'serve': {
      if (wantsHelp) return void process.stdout.write(SERVE_HELP);
      const config = loadConfigOrExit();
      limitHeapGrowth();
      await runServe(config, createLogger(config.ADGATE_LOG_LEVEL), startGateway);
      return;
    }
    case 'migrate': {
      if (wantsHelp) return void process.stdout.write(MIGRATE_HELP);
      const config = loadConfigOrExit();
      const log = createLogger(config.ADGATE_LOG_LEVEL);
      const result = await migrate(config.ADGATE_DATABASE_URL, log);
      log.info('migrations done', {
        applied: result.applied,
        alreadyApplied: result.alreadyApplied,
      });
      return;
    }
    case 'drain': {
      if (wantsHelp) return void process.stdout.write(DRAIN_HELP);
      const url = flag('--url') ?? 'http://127.0.0.1:8080';
      const key = flag('--key') ?? fail('drain needs --key with an admin-scoped API key');
      const response = await fetch(new URL('/admin/drain', url), {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
      }).catch((error: unknown) => fail(`cannot reach ${url}: ${errorMessage(error)}`));
      const body = await response.text();
      if (!response.ok) fail(`${response.status} ${body}`);
      process.stdout.write(`${body}\n`);
      return;
    }
    case 'dlq':
      process.exit(await runDlqCommand(args, loadConfigOrExit));
      return;
    case 'offsets':
      process.exit(await runOffsetsCommand(args, loadConfigOrExit));
      return;
    case 'stack': {
      if (wantsHelp) return void process.stdout.write(STACK_HELP);
      if (args.length === 0) fail(`stack needs up, down or status\n\n${STACK_HELP}`, 2);
      const script = join(
        dirname(fileURLToPath(import.meta.url)),
        '..',
        '..',
        '..',
        'scripts',
        'stack.sh',
      );
      const result = spawnSync('bash', [script, ...args], { stdio: 'inherit' });
      process.exit(result.status ?? 1);
      return;
    }
    default:
      fail(`unknown command "${command}"\n\n${MAIN_HELP}`, 2);
  }
}

function flag(name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

main().catch((error: unknown) => {
  if (
    error instanceof UsageError ||
    (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
  )
    fail((error as Error).message, 2);
  fail(error instanceof AdgateError ? `${error.reason}: ${error.message}` : errorMessage(error));
});
