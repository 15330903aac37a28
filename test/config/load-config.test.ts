import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load-config.js';
import { sha256 } from '../../src/config/parse-api-keys.js';
import { ConfigError } from '../../src/errors/adgate-error.js';

function errorOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig (SPEC §6)', () => {
  it('defaults to the local stack with the development key outside production', () => {
    const config = loadConfig({});
    assert.equal(config.ADGATE_HTTP_PORT, 8080);
    assert.deepEqual(config.ADGATE_KAFKA_BROKERS, ['127.0.0.1:9092']);
    assert.equal(
      config.ADGATE_DATABASE_URL,
      `postgres://${userInfo().username}@127.0.0.1:5432/adgate`,
      'a URL without a user connects as the OS user',
    );
    assert.equal(config.ADGATE_TOPIC, 'ad-events');
    assert.equal(config.ADGATE_DRAIN_TIMEOUT_MS, 25_000);
    assert.equal(config.usingDevelopmentKey, true);
    assert.equal(config.apiKeys.length, 1);
    assert.equal(config.apiKeys[0]?.source, 'dev');
    assert.deepEqual([...(config.apiKeys[0]?.scopes ?? [])].sort(), ['billing', 'ingest']);
    assert.ok(Object.isFrozen(config));
  });

  it('names the variable and the rule it broke', () => {
    const message = errorOf({ ADGATE_HTTP_PORT: 'eighty' });
    assert.match(message, /ADGATE_HTTP_PORT/);
    assert.match(message, /eighty/);
    assert.match(
      errorOf({ ADGATE_KAFKA_BROKERS: 'nohost' }),
      /ADGATE_KAFKA_BROKERS: each broker must be host:port/,
    );
    assert.match(
      errorOf({ ADGATE_DEDUP_REDIS_BUCKETS: '1000' }),
      /ADGATE_DEDUP_REDIS_BUCKETS: must be a power of two/,
    );
    assert.match(errorOf({ ADGATE_MIGRATE_ON_START: 'yes' }), /ADGATE_MIGRATE_ON_START/);
  });

  it('stops at an unknown ADGATE_ variable, naming it and the nearest known one (SPEC §6)', () => {
    const message = errorOf({ ADGATE_BATCH_MAX_EVENT: '100' });
    assert.match(
      message,
      /ADGATE_BATCH_MAX_EVENT: unknown variable \(did you mean ADGATE_BATCH_MAX_EVENTS\?\)/,
    );
    assert.match(errorOf({ ADGATE_HTTP_PROT: '80' }), /did you mean ADGATE_HTTP_PORT\?/);
    // Far from every known name: no guess offered.
    const far = errorOf({ ADGATE_SOMETHING_ELSE_ENTIRELY: 'x' });
    assert.match(far, /ADGATE_SOMETHING_ELSE_ENTIRELY: unknown variable$/m);
    // Reported together with the other issues, not one at a time.
    const both = errorOf({ ADGATE_HTTP_PORT: 'eighty', ADGATE_TOPICS: 'x' });
    assert.match(both, /ADGATE_TOPICS: unknown variable/);
    assert.match(both, /ADGATE_HTTP_PORT/);
    // Other prefixes are not ours to judge.
    assert.equal(loadConfig({ ADGATEWAY: 'x', KAFKA_PORT: '1' }).ADGATE_HTTP_PORT, 8080);
  });

  it('reads a secret from <NAME>_FILE, as containers mount them, and never prints one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'adgate-config-'));
    try {
      const keys = join(dir, 'keys');
      writeFileSync(keys, 'ads:ingest:from-a-file\n');
      const url = join(dir, 'url');
      writeFileSync(url, 'postgres://u:pw@db.example:5432/adgate?sslmode=verify-full\n');
      const config = loadConfig({ ADGATE_API_KEYS_FILE: keys, ADGATE_DATABASE_URL_FILE: url });
      assert.equal(config.apiKeys[0]?.source, 'ads');
      assert.deepEqual(
        config.apiKeys[0]?.secretSha256,
        sha256('from-a-file'),
        'one newline dropped',
      );
      assert.equal(
        config.ADGATE_DATABASE_URL,
        'postgres://u:pw@db.example:5432/adgate?sslmode=verify-full',
      );
      assert.match(
        errorOf({ ADGATE_API_KEYS_FILE: keys, ADGATE_API_KEYS: 'a:ingest:b' }),
        /ADGATE_API_KEYS_FILE: set ADGATE_API_KEYS or ADGATE_API_KEYS_FILE, not both/,
      );
      assert.match(
        errorOf({ ADGATE_REDIS_URL_FILE: join(dir, 'missing') }),
        /ADGATE_REDIS_URL_FILE: cannot read/,
      );
      writeFileSync(url, 'mysql://u:s3cr3t-pw@db\n');
      const message = errorOf({ ADGATE_DATABASE_URL_FILE: url });
      assert.match(message, /ADGATE_DATABASE_URL: must be a postgres:\/\/ URL/);
      assert.doesNotMatch(message, /s3cr3t-pw/, 'a secret is never printed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes up to 2^24 Redis dedup buckets (README: sizing), no more', () => {
    assert.equal(
      loadConfig({ ADGATE_DEDUP_REDIS_BUCKETS: String(2 ** 24) }).ADGATE_DEDUP_REDIS_BUCKETS,
      2 ** 24,
    );
    assert.match(
      errorOf({ ADGATE_DEDUP_REDIS_BUCKETS: String(2 ** 25) }),
      /ADGATE_DEDUP_REDIS_BUCKETS/,
    );
  });

  it('takes a Redis window up to the dedup window, not beyond', () => {
    assert.equal(loadConfig({}).ADGATE_DEDUP_REDIS_WINDOW_MS, undefined);
    assert.equal(
      loadConfig({ ADGATE_DEDUP_REDIS_WINDOW_MS: '3600000' }).ADGATE_DEDUP_REDIS_WINDOW_MS,
      3_600_000,
    );
    assert.match(
      errorOf({ ADGATE_DEDUP_REDIS_WINDOW_MS: String(9 * 86_400_000) }),
      /ADGATE_DEDUP_REDIS_WINDOW_MS: must not exceed ADGATE_DEDUP_WINDOW_MS/,
    );
  });

  it('takes ADGATE_MAX_EVENT_BYTES from 1 KiB to what a default broker accepts (64 KiB unset)', () => {
    assert.equal(loadConfig({}).ADGATE_MAX_EVENT_BYTES, 65_536);
    assert.equal(loadConfig({ ADGATE_MAX_EVENT_BYTES: '1024' }).ADGATE_MAX_EVENT_BYTES, 1024);
    assert.match(errorOf({ ADGATE_MAX_EVENT_BYTES: '1023' }), /ADGATE_MAX_EVENT_BYTES/);
    assert.match(errorOf({ ADGATE_MAX_EVENT_BYTES: '2000000' }), /ADGATE_MAX_EVENT_BYTES/);
  });

  it('takes a metrics port apart from the HTTP port, none unset', () => {
    assert.equal(loadConfig({}).ADGATE_METRICS_PORT, undefined);
    assert.equal(loadConfig({ ADGATE_METRICS_PORT: '9464' }).ADGATE_METRICS_PORT, 9464);
    assert.match(
      errorOf({ ADGATE_METRICS_PORT: '8080' }),
      /ADGATE_METRICS_PORT: must differ from ADGATE_HTTP_PORT/,
    );
    assert.match(errorOf({ ADGATE_METRICS_PORT: '70000' }), /ADGATE_METRICS_PORT/);
  });

  it('refuses a dedup window shorter than the acceptance window', () => {
    assert.match(
      errorOf({ ADGATE_DEDUP_WINDOW_MS: '3600000' }),
      /ADGATE_DEDUP_WINDOW_MS: must cover/,
    );
  });

  it('stops in production without API keys', () => {
    assert.match(
      errorOf({ NODE_ENV: 'production' }),
      /ADGATE_API_KEYS: must list at least one key/,
    );
    assert.match(errorOf({ NODE_ENV: 'production', ADGATE_API_KEYS: ' ' }), /ADGATE_API_KEYS/);
    assert.match(
      errorOf({ NODE_ENV: 'production', ADGATE_API_KEYS: ' , ,' }),
      /ADGATE_API_KEYS: must list at least one key/,
      'a list of separators only holds no key',
    );
    const development = loadConfig({ ADGATE_API_KEYS: ',' });
    assert.equal(development.usingDevelopmentKey, true, 'outside production it is the dev key');
    assert.equal(development.apiKeys.length, 1);
  });

  it('parses keys, scopes and sha256 secrets, and never echoes them', () => {
    const hash = sha256('0ther').toString('hex');
    const config = loadConfig({
      ADGATE_API_KEYS: `ads-eu:ingest:s3cret,finance:billing:sha256=${hash}`,
    });
    assert.equal(config.usingDevelopmentKey, false);
    assert.deepEqual(
      config.apiKeys.map((k) => k.source),
      ['ads-eu', 'finance'],
    );
    assert.deepEqual(config.apiKeys[1]?.secretSha256, sha256('0ther'));
    const message = errorOf({ ADGATE_API_KEYS: 'ads:ingest+root:topsecret' });
    assert.match(message, /unknown scope "root"/);
    assert.doesNotMatch(message, /topsecret/);
    assert.match(errorOf({ ADGATE_API_KEYS: 'ads:ingest:sha256=zz' }), /64 hex digits/);
    assert.match(errorOf({ ADGATE_API_KEYS: 'justonefield' }), /source:scopes:secret/);
  });
});
