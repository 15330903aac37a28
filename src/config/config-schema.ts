import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { z } from 'zod';
import { parseApiKeys } from './parse-api-keys.js';
import { parseRate } from './parse-rate.js';

const DAY_MS = 24 * 60 * 60 * 1000;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');
const rate = z.string().transform((text, ctx) => {
  try {
    return parseRate(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});
// A PEM file named by a variable, read once at start: a missing or
// unreadable file stops the process naming the variable, not at the first
// TLS handshake.
const pemFile = z.string().transform((path, ctx) => {
  try {
    const pem = readFileSync(path, 'utf8');
    if (!pem.includes('-----BEGIN ')) throw new Error('not a PEM file');
    return { path, pem };
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `cannot read "${path}": ${(error as Error).message}` });
    return z.NEVER;
  }
});
const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a valid Kafka topic name');

/**
 * A URL without a user connects as the OS user, as psql does; node-postgres
 * would otherwise take it from $USER, which services often run without.
 */
function withDefaultUser(text: string): string {
  const url = new URL(text);
  if (url.username === '') url.username = userInfo().username;
  return url.toString();
}

/**
 * Every ADGATE_ variable (SPEC §6), with defaults that point at the local
 * stack on 127.0.0.1 so that the README's start command needs no set-up.
 */
export const envSchema = z
  .object({
    NODE_ENV: z.string().default('development'),
    ADGATE_ROLES: z
      .string()
      .default('ingress,sink,dlq')
      .transform((s) => s.split(',').map((r) => r.trim()))
      .pipe(z.array(z.enum(['ingress', 'sink', 'dlq'])).min(1)),
    // Worker processes per role (src/workers/plan-workers.ts): unset takes
    // a default from the cores available; 0 turns the role off.
    ADGATE_INGRESS_WORKERS: int(0, 64).optional(),
    ADGATE_SINK_WORKERS: int(0, 64).optional(),
    // Every role on one event loop: half the memory of the worker
    // processes, at the cost of HTTP answers waiting on the sink's flushes.
    ADGATE_SINGLE_PROCESS: bool.default(false),
    ADGATE_HTTP_HOST: z.string().min(1).default('0.0.0.0'),
    ADGATE_HTTP_PORT: int(0, 65535).default(8080),
    // /metrics and the probes on a port of their own that stays open
    // through the drain (the ingress listener closes first, SPEC §7), so
    // that a scrape sees an instance drain; unset: none.
    ADGATE_METRICS_PORT: int(0, 65535).optional(),
    // SPEC §3: 408 for a client too slow to send its headers or its body.
    // An ad server on a healthy network sends both in milliseconds; the
    // defaults leave room for a 5 MiB body on a slow link.
    ADGATE_HTTP_HEADERS_TIMEOUT_MS: int(100, 600_000).default(10_000),
    ADGATE_HTTP_REQUEST_TIMEOUT_MS: int(100, 3_600_000).default(30_000),
    // Above a load balancer's usual 60 s idle timeout, so that the balancer,
    // never adgate, closes an idle connection (no race on a reused socket).
    ADGATE_HTTP_KEEP_ALIVE_TIMEOUT_MS: int(1_000, 3_600_000).default(65_000),
    ADGATE_HTTP_MAX_CONNECTIONS: int(1, 1_000_000).default(10_000),
    ADGATE_KAFKA_BROKERS: z
      .string()
      .default('127.0.0.1:9092')
      .transform((s) => s.split(',').map((b) => b.trim()))
      .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'each broker must be host:port')).min(1)),
    ADGATE_KAFKA_CLIENT_ID: z.string().min(1).default('adgate'),
    // TLS to the brokers: on with ADGATE_KAFKA_SSL=true or any of the files;
    // the CA when the brokers' certificates are not signed by one the system
    // trusts, a client certificate and key for mutual TLS.
    ADGATE_KAFKA_SSL: bool.default(false),
    ADGATE_KAFKA_SSL_CA_FILE: pemFile.optional(),
    ADGATE_KAFKA_SSL_CERT_FILE: pemFile.optional(),
    ADGATE_KAFKA_SSL_KEY_FILE: pemFile.optional(),
    // SASL: PLAIN (over TLS only, in production) or SCRAM; the password may
    // come from ADGATE_KAFKA_SASL_PASSWORD_FILE.
    ADGATE_KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
    ADGATE_KAFKA_SASL_USERNAME: z.string().min(1).optional(),
    ADGATE_KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
    ADGATE_TOPIC: topicName.default('ad-events'),
    ADGATE_DLQ_TOPIC: topicName.default('ad-events.dlq'),
    ADGATE_DEAD_TOPIC: topicName.default('ad-events.dead'),
    ADGATE_TOPIC_PARTITIONS: int(1, 10_000).default(6),
    ADGATE_TOPIC_REPLICATION: int(1, 16).default(1),
    ADGATE_CONSUMER_GROUP: z.string().min(1).default('adgate-sink'),
    // How long the group waits for a member that vanished without leaving
    // (a crash) before moving its partitions: the lag a crash costs.
    ADGATE_KAFKA_SESSION_TIMEOUT_MS: int(6_000, 300_000).default(10_000),
    ADGATE_DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .default('postgres://127.0.0.1:5432/adgate')
      .transform(withDefaultUser),
    ADGATE_DB_POOL_SIZE: int(2, 200).default(6),
    ADGATE_MIGRATE_ON_START: bool.default(true),
    ADGATE_REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// URL')
      .default('redis://127.0.0.1:6379'),
    // rediss:// turns TLS on; a password goes in the URL (rediss://:pw@host:port),
    // or the whole URL in ADGATE_REDIS_URL_FILE. The CA, when the server's
    // certificate is not signed by one the system trusts.
    ADGATE_REDIS_TLS_CA_FILE: pemFile.optional(),
    ADGATE_REDIS_KEY_PREFIX: z.string().min(1).default('adgate'),
    ADGATE_DEDUP_REDIS_BUCKETS: int(1, 16_777_216)
      .default(65_536)
      .refine((n) => (n & (n - 1)) === 0, 'must be a power of two'),
    ADGATE_DEDUP_WINDOW_MS: int(60_000, 365 * DAY_MS).default(8 * DAY_MS),
    // How long Redis remembers a key; unset, the whole dedup window. Older
    // duplicates are still caught, by PostgreSQL (README: sizing).
    ADGATE_DEDUP_REDIS_WINDOW_MS: int(60_000, 365 * DAY_MS).optional(),
    ADGATE_ACCEPT_PAST_MS: int(0, 365 * DAY_MS).default(7 * DAY_MS),
    ADGATE_ACCEPT_FUTURE_MS: int(0, DAY_MS).default(5 * 60 * 1000),
    // How long before it reaches the ingest topic a message may be stamped
    // (the HTTP ingress stamps on receipt, then produces with retries; hosts'
    // clocks differ): the settled watermark keeps this much back (README).
    ADGATE_WATERMARK_SKEW_MS: int(0, DAY_MS).default(5 * 60 * 1000),
    // A click or conversion whose impression has not arrived this long after
    // it is an orphan (GET /v1/reconciliation/orphans; README for the default).
    ADGATE_RECONCILE_GRACE_MS: int(0, 30 * DAY_MS).default(60 * 60 * 1000),
    ADGATE_BATCH_MAX_EVENTS: int(1, 100_000).default(5_000),
    ADGATE_BATCH_MAX_AGE_MS: int(1, 60_000).default(100),
    ADGATE_MAX_EVENTS_PER_REQUEST: int(1, 1_000_000).default(5_000),
    ADGATE_MAX_BODY_BYTES: int(1024, 1024 * 1024 * 1024).default(5 * 1024 * 1024),
    // One event as the gateway forwards it (SPEC §1); larger is too_large at
    // both ingresses. At most 1,000,000 so that one event, its key and
    // headers fit the broker's default message.max.bytes (1 MiB + 12).
    ADGATE_MAX_EVENT_BYTES: int(1024, 1_000_000).default(64 * 1024),
    ADGATE_PRODUCE_TIMEOUT_MS: int(100, 120_000).default(5_000),
    ADGATE_DRAIN_TIMEOUT_MS: int(100, 3_600_000).default(25_000),
    // Messages waiting and no partition position moved for this long: the
    // instance is failed and exits, so that its supervisor restarts it
    // (SPEC §7). Longer than any outage the sink should sit out in place.
    ADGATE_SINK_STALL_MS: int(1_000, 24 * 60 * 60 * 1000).default(60_000),
    ADGATE_DLQ_MAX_ATTEMPTS: int(1, 100).default(3),
    // The DLQ consumer's backoff for write_failed letters (README: "Operating
    // the dead-letter queue"): base, doubled per attempt, capped.
    ADGATE_DLQ_BACKOFF_MS: int(10, DAY_MS).default(60_000),
    ADGATE_DLQ_MAX_BACKOFF_MS: int(10, DAY_MS).default(30 * 60 * 1000),
    ADGATE_DLQ_MAX_WAITING: int(1, 1_000_000).default(1_000),
    ADGATE_RETRY_MAX_BACKOFF_MS: int(10, 600_000).default(5_000),
    ADGATE_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    ADGATE_LOG_FORMAT: z.enum(['json', 'pretty']).optional(), // unset: pretty on a TTY only
    // OTLP/HTTP endpoint for traces (e.g. http://collector:4318/v1/traces);
    // unset, tracing is off and spans cost nothing.
    ADGATE_OTLP_TRACES_URL: z.url({ message: 'must be a URL' }).optional(),
    ADGATE_API_KEYS: z.string().optional(),
    // SPEC §6: per key, events per second and a burst (R/B); off unless set.
    // A key's own `@R/B` in ADGATE_API_KEYS overrides it.
    ADGATE_RATE_LIMIT: rate.optional(),
    // Failed authentications per client address: a key guesser slows down,
    // a valid key is never charged. One a second with a burst of 20 leaves
    // room for a misconfigured fleet's retries while making guessing slow.
    ADGATE_AUTH_FAILURE_LIMIT: rate.default(parseRate('1/20')),
  })
  .superRefine((env, ctx) => {
    checkKafkaSecurity(env, ctx);
    checkWorkerCounts(env, ctx);
    if (
      env.ADGATE_REDIS_TLS_CA_FILE !== undefined &&
      !env.ADGATE_REDIS_URL.startsWith('rediss://')
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['ADGATE_REDIS_TLS_CA_FILE'],
        message: 'needs a rediss:// ADGATE_REDIS_URL (TLS); redis:// is plain TCP',
      });
    }
    if (env.ADGATE_METRICS_PORT !== 0 && env.ADGATE_METRICS_PORT === env.ADGATE_HTTP_PORT) {
      ctx.addIssue({
        code: 'custom',
        path: ['ADGATE_METRICS_PORT'],
        message:
          'must differ from ADGATE_HTTP_PORT: it is a second listener, open through the drain',
      });
    }
    if (env.ADGATE_HTTP_HEADERS_TIMEOUT_MS > env.ADGATE_HTTP_REQUEST_TIMEOUT_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['ADGATE_HTTP_HEADERS_TIMEOUT_MS'],
        message:
          'must not exceed ADGATE_HTTP_REQUEST_TIMEOUT_MS (the headers are part of the request)',
      });
    }
    if (env.ADGATE_DEDUP_WINDOW_MS < env.ADGATE_ACCEPT_PAST_MS + env.ADGATE_ACCEPT_FUTURE_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['ADGATE_DEDUP_WINDOW_MS'],
        message:
          'must cover the acceptance window (ADGATE_ACCEPT_PAST_MS + ADGATE_ACCEPT_FUTURE_MS), or a late retry could be counted twice',
      });
    }
    if (
      env.ADGATE_DEDUP_REDIS_WINDOW_MS !== undefined &&
      env.ADGATE_DEDUP_REDIS_WINDOW_MS > env.ADGATE_DEDUP_WINDOW_MS
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['ADGATE_DEDUP_REDIS_WINDOW_MS'],
        message:
          'must not exceed ADGATE_DEDUP_WINDOW_MS: Redis would then drop duplicates that PostgreSQL has forgotten, and a flushed Redis would count them',
      });
    }
    let listed: number | undefined;
    try {
      listed = parseApiKeys(env.ADGATE_API_KEYS ?? '').length;
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        path: ['ADGATE_API_KEYS'],
        message: error instanceof Error ? error.message : String(error),
      });
    }
    // Keys counted, not the text compared with '': a list of separators
    // only (" , ") holds no key, and production would start with none.
    if (listed === 0 && env.NODE_ENV === 'production') {
      ctx.addIssue({
        code: 'custom',
        path: ['ADGATE_API_KEYS'],
        message: 'must list at least one key when NODE_ENV=production',
      });
    }
  });

export type Env = z.output<typeof envSchema>;

type KafkaSecurityEnv = {
  ADGATE_KAFKA_SSL_CERT_FILE?: unknown;
  ADGATE_KAFKA_SSL_KEY_FILE?: unknown;
  ADGATE_KAFKA_SASL_MECHANISM?: string;
  ADGATE_KAFKA_SASL_USERNAME?: string;
  ADGATE_KAFKA_SASL_PASSWORD?: string;
};

/** A client certificate needs its key, and SASL needs a user and a password. */
function checkKafkaSecurity(env: KafkaSecurityEnv, ctx: z.RefinementCtx): void {
  const cert = env.ADGATE_KAFKA_SSL_CERT_FILE !== undefined;
  if (cert !== (env.ADGATE_KAFKA_SSL_KEY_FILE !== undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: [cert ? 'ADGATE_KAFKA_SSL_KEY_FILE' : 'ADGATE_KAFKA_SSL_CERT_FILE'],
      message: 'a client certificate and its key go together',
    });
  }
  const sasl = [env.ADGATE_KAFKA_SASL_USERNAME, env.ADGATE_KAFKA_SASL_PASSWORD];
  if (env.ADGATE_KAFKA_SASL_MECHANISM !== undefined && sasl.some((v) => v === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: ['ADGATE_KAFKA_SASL_MECHANISM'],
      message: 'needs ADGATE_KAFKA_SASL_USERNAME and ADGATE_KAFKA_SASL_PASSWORD (or _FILE)',
    });
  }
  if (env.ADGATE_KAFKA_SASL_MECHANISM === undefined && sasl.some((v) => v !== undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: ['ADGATE_KAFKA_SASL_MECHANISM'],
      message:
        'a SASL user or password is set: name the mechanism (plain, scram-sha-256, scram-sha-512)',
    });
  }
}

/** Workers asked for a role that ADGATE_ROLES leaves out: which one is meant is not ours to guess. */
function checkWorkerCounts(
  env: { ADGATE_ROLES: string[]; ADGATE_INGRESS_WORKERS?: number; ADGATE_SINK_WORKERS?: number },
  ctx: z.RefinementCtx,
): void {
  const counts = [
    ['ingress', 'ADGATE_INGRESS_WORKERS', env.ADGATE_INGRESS_WORKERS],
    ['sink', 'ADGATE_SINK_WORKERS', env.ADGATE_SINK_WORKERS],
  ] as const;
  for (const [role, name, count] of counts) {
    if (count === undefined || count === 0 || env.ADGATE_ROLES.includes(role)) continue;
    ctx.addIssue({
      code: 'custom',
      path: [name],
      message: `asks for ${count} ${role} workers, but ADGATE_ROLES (${env.ADGATE_ROLES.join(',')}) leaves out ${role}`,
    });
  }
}
