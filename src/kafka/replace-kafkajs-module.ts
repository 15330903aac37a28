import { createRequire, Module } from 'node:module';
import type { Logger } from '../telemetry/logger.js';

/**
 * kafkajs 2.2.4, its last release, spends much of a record's cost in its
 * per-record encoder and decoder; adgate's record-encoder.ts and
 * record-decoder.ts do the same work with less, and stand in for them
 * through this one way: an entry in the require cache under the file name
 * of kafkajs's module, made before anything loads that module (kafkajs
 * loads both lazily, at the first produce or fetch of a version). That is
 * Node's documented way to give a module in place of another, and it
 * works behind OpenTelemetry's require hook, which keeps what it saw.
 */

const require = createRequire(import.meta.url);

/** The kafkajs release the stand-ins were written against and are tested with. */
export const KAFKAJS_VERSION = '2.2.4';

/** A module of kafkajs's, as kafkajs's own code would get it: its own unless replaced. */
export function loadKafkaJsModule<T>(path: string): T {
  return require(`kafkajs/${path}`) as T;
}

export type Replacement = { readonly replaced: true } | { readonly replaced: false; why: string };

/** Why nothing is replaced when the installed kafkajs is not KAFKAJS_VERSION; undefined when it is. */
export function otherKafkaJsVersion(): Extract<Replacement, { replaced: false }> | undefined {
  const version = (require('kafkajs/package.json') as { version: string }).version;
  if (version === KAFKAJS_VERSION) return undefined;
  return { replaced: false, why: `kafkajs ${version}, written for ${KAFKAJS_VERSION}` };
}

/**
 * Puts `exports` in the require cache as kafkajs's module `path`: only for
 * KAFKAJS_VERSION, and only if the module was not loaded yet (kafkajs code
 * may hold it already, so a swap then could not be trusted).
 */
export function replaceKafkaJsModule(path: string, exports: unknown): Replacement {
  const other = otherKafkaJsVersion();
  if (other !== undefined) return other;
  const filename = require.resolve(`kafkajs/${path}`);
  if (require.cache[filename] !== undefined) {
    return { replaced: false, why: `kafkajs had loaded ${path} already` };
  }
  const entry = new Module(filename);
  entry.filename = filename;
  entry.loaded = true;
  entry.exports = exports;
  require.cache[filename] = entry;
  return { replaced: true };
}

interface Install {
  readonly replacement: Replacement;
  warned: boolean;
}

const installs = new Map<string, Install>();

/**
 * replaceKafkaJsModule once per module, with what `make` gives; where it
 * cannot, kafkajs keeps its own, with one warning naming `what`. Without
 * a `log` (a stand-in that must be in place before any logger exists),
 * the warning waits for the first call that has one.
 */
export function installInPlaceOf(
  path: string,
  make: () => unknown,
  log: Logger | undefined,
  what: string,
): boolean {
  let install = installs.get(path);
  if (install === undefined) {
    install = { replacement: replaceKafkaJsModule(path, make()), warned: false };
    installs.set(path, install);
  }
  const { replacement } = install;
  if (!replacement.replaced && !install.warned && log !== undefined) {
    install.warned = true;
    log.warn(`kafkajs ${what} kept`, { why: replacement.why });
  }
  return replacement.replaced;
}
