#!/usr/bin/env node
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import {
  freePort,
  type GatewayProcess,
  startGatewayProcess,
} from '../../testkit/gateway-process.js';
import { ExpectedTotals } from '../../testkit/stream/expected-totals.js';
import { generateChunks } from '../../testkit/stream/generate-stream.js';
import { StreamRouter } from '../../testkit/stream/route-stream.js';
import { postgresCheck, verifyTotals } from '../../testkit/verify-outcome.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import type { Check, Target } from '../bench/bench-result.js';
import {
  benchNames,
  createDatabase,
  createKafka,
  createTopics,
  gatewayEnvFor,
  removeResources,
} from '../common/resources.js';
/**
 * A rolling restart at steady load: `node dist/loadtest/rolling/rolling-restart.js --help`.
 * Two gateway instances (HTTP ingress and sink) on fixed ports take a steady
 * HTTP load through a client that behaves like a load balancer; each is
 * restarted in turn, first with a drain (SIGTERM, SPEC §7), then with a hard
 * kill (SIGKILL). The consumer lag, drain times and client retries are
 * measured throughout; at the end the counts are verified exactly.
 */
import { runBenchCli } from '../common/run-cli.js';
import { createSay, sleep } from '../common/say.js';
import { BalancedHttpLoad } from '../load/balanced-http-load.js';
import { driveLoad, type PhaseLoad } from '../load/drive-load.js';
import { type LagSample, LagSampler, lagOf, recoveryOf, topicEnd } from '../measure/measure-lag.js';
import { latencyOf, quantile } from '../measure/measure-metrics.js';
import { readMachineTicks } from '../measure/measure-process.js';
import { fmtInt } from '../report/report-table.js';
import { renderRollingHtml } from './rolling-html.js';
import {
  parseRollingOptions,
  type RestartPhase,
  type RollingOptions,
  rollingHelpText,
} from './rolling-options.js';
import type {
  AssignmentSeen,
  DrainStepTime,
  FinalStop,
  PhaseSummary,
  RestartFigures,
  RollingResult,
} from './rolling-result.js';
import { renderRollingTable } from './rolling-table.js';

const say = createSay();

/** One line of a gateway's JSON log. */
interface LogEvent {
  /** Epoch milliseconds, from the line's own `time`. */
  readonly t: number;
  readonly level: string;
  readonly msg: string;
  readonly fields: Record<string, unknown>;
}

/** One gateway process: its label ('1a', then '1b' for its replacement), its parsed log. */
class Instance {
  private readonly parsed: LogEvent[] = [];
  private parsedUpTo = 0;

  constructor(
    readonly label: string,
    readonly process: GatewayProcess,
  ) {}

  /** Every complete log line so far, parsed (lines that are not JSON are skipped). */
  events(): readonly LogEvent[] {
    const output = this.process.output();
    const end = output.lastIndexOf('\n');
    if (end >= this.parsedUpTo) {
      for (const line of output.slice(this.parsedUpTo, end).split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const fields = JSON.parse(line) as Record<string, unknown>;
          const t = Date.parse(String(fields.time));
          if (!Number.isFinite(t)) continue;
          this.parsed.push({ t, level: String(fields.level), msg: String(fields.msg), fields });
        } catch {
          // A line of another shape (a stack trace, say).
        }
      }
      this.parsedUpTo = end + 1;
    }
    return this.parsed;
  }

  first(msg: string): LogEvent | undefined {
    return this.events().find((e) => e.msg === msg);
  }

  assignments(): { t: number; partitions: number[] }[] {
    return this.events()
      .filter((e) => e.msg === 'partitions assigned')
      .map((e) => ({ t: e.t, partitions: (e.fields.partitions as number[] | undefined) ?? [] }));
  }

  /** When it was first given a non-empty share of the partitions. */
  firstPartitionsAt(): number | undefined {
    return this.assignments().find((a) => a.partitions.length > 0)?.t;
  }

  lastAssignment(): number[] | undefined {
    return this.assignments().at(-1)?.partitions;
  }

  drainSteps(): DrainStepTime[] {
    return this.events()
      .filter((e) => e.msg === 'drain step done')
      .map((e) => ({ step: String(e.fields.step), ms: Number(e.fields.ms) }));
  }

  get exited(): boolean {
    return this.process.child.exitCode !== null || this.process.child.signalCode !== null;
  }
}

/** The machine's busy share over time, from /proc/stat. */
class MachineSampler {
  private readonly samples: { t: number; busy: number; total: number }[] = [];
  private timer: NodeJS.Timeout | undefined;

  start(everyMs: number): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    this.samples.push({ t: Date.now(), ...readMachineTicks() });
  }

  busyBetween(fromMs: number, toMs: number): number {
    const a = this.samples.find((s) => s.t >= fromMs) ?? this.samples[0];
    const b = this.samples.filter((s) => s.t <= toMs).at(-1) ?? this.samples.at(-1);
    if (a === undefined || b === undefined || b.total <= a.total) return 0;
    return (b.busy - a.busy) / (b.total - a.total);
  }
}

const exitText = (exit: { code: number | null; signal: NodeJS.Signals | null }): string =>
  exit.code !== null ? String(exit.code) : (exit.signal ?? '?');

export async function runRolling(options: RollingOptions): Promise<RollingResult> {
  const startedAt = new Date();
  const outDir = join(options.outDir, `${startedAt.toISOString().replace(/[:.]/g, '-')}-rolling`);
  await mkdir(outDir, { recursive: true });
  const names = benchNames('rolling');
  const loadAtStart = loadavg();
  say(
    `adgate rolling restart: ${fmtInt(options.rate)} events/s, phases ${options.phases.join(', ')}, seed ${options.seed}; ${cpus().length} CPUs, load average ${loadAtStart.map((n) => n.toFixed(2)).join(' ')}; run ${names.base}`,
  );
  const kafka = createKafka(options.kafkaBrokers);
  const admin = kafka.admin();
  await admin.connect();
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 2 });
  const files: Record<string, string> = {
    json: join(outDir, 'result.json'),
    html: join(outDir, 'report.html'),
  };
  const live: (Instance | undefined)[] = [undefined, undefined];
  const states = ['starting', 'starting'];
  const generations = [0, 0];
  const labels = ['1a', '2a'];
  let balanced: BalancedHttpLoad | undefined;
  let lag: LagSampler | undefined;
  let progress: NodeJS.Timeout | undefined;
  let pool: pg.Pool | undefined;
  let stopLoad = false;
  let loadDone: Promise<PhaseLoad> | undefined;
  const machine = new MachineSampler();
  const saveLog = async (instance: Instance) => {
    const file = join(outDir, `gateway-${instance.label}.log`);
    files[`gateway-${instance.label}`] = file;
    await writeFile(file, instance.process.output());
  };
  try {
    say('setup: database, topics');
    const databaseUrl = await createDatabase(options.pgAdminUrl, names.database);
    await createTopics(admin, [names.topic, names.dlqTopic, names.deadTopic], options.partitions);
    const env: Record<string, string> = {
      ...gatewayEnvFor(names, options, databaseUrl),
      ADGATE_ROLES: 'ingress,sink',
      ADGATE_DRAIN_TIMEOUT_MS: String(options.drainTimeoutMs),
      ...options.gatewayEnv,
    };
    const ports = [await freePort(), await freePort()];
    const urls = ports.map((p) => `http://127.0.0.1:${p}`);
    const launch = async (slot: number): Promise<Instance> => {
      const generation = generations[slot] ?? 0;
      generations[slot] = generation + 1;
      const label = `${slot + 1}${String.fromCharCode(97 + generation)}`;
      labels[slot] = label;
      states[slot] = 'starting';
      const gateway = await startGatewayProcess(
        { ...env, ADGATE_KAFKA_CLIENT_ID: `${names.base}-${label}` },
        { port: ports[slot] as number },
      );
      const instance = new Instance(label, gateway);
      live[slot] = instance;
      states[slot] = 'joining';
      return instance;
    };

    say(`gateways: starting 1a and 2a on ports ${ports.join(' and ')}`);
    await Promise.all([launch(0), launch(1)]);
    await waitFor(
      'both instances to own partitions',
      () => {
        const shares = live.map((i) => i?.lastAssignment() ?? []);
        const owned = new Set(shares.flat());
        return shares.every((s) => s.length > 0) && owned.size === options.partitions;
      },
      90_000,
      100,
    );
    states[0] = 'up';
    states[1] = 'up';
    say(
      `gateways: ${live.map((i) => `${i?.label} owns [${i?.lastAssignment()?.join(',')}]`).join(', ')}`,
    );

    balanced = new BalancedHttpLoad(urls, options.connections, {
      healthEveryMs: options.healthEveryMs,
      giveUpMs: 120_000,
    });
    balanced.startHealthChecks();
    lag = new LagSampler(admin, names.topic, names.group, options.sampleEveryMs);
    const expected = new ExpectedTotals();
    const router = new StreamRouter(
      generateChunks({
        seed: options.seed,
        duplicateShare: options.duplicates,
        malformedShare: options.malformed,
        outOfOrderShare: options.outOfOrder,
        nowMs: options.nowMs,
      }),
      expected,
      {
        seed: options.seed,
        kafkaShare: 0,
        retryShare: options.retries,
        batchSize: options.batchSize,
        kafkaBatch: 1_000,
      },
    );

    const t0 = Date.now();
    const rel = (t: number) => (t - t0) / 1000;
    lag.start();
    machine.start(1_000);
    let load: PhaseLoad | undefined;
    let stage = 'warm-up';
    loadDone = driveLoad(
      router,
      balanced,
      undefined,
      {
        name: 'steady',
        rate: options.rate,
        durationMs: Number.POSITIVE_INFINITY,
        httpSlots: options.connections * 2,
        kafkaSlots: 1,
        until: () => stopLoad,
      },
      (p) => {
        load = p;
      },
    );
    loadDone.catch(() => undefined);
    const itemsAt: { t: number; items: number }[] = [{ t: t0, items: 0 }];
    const markItems = () => itemsAt.push({ t: Date.now(), items: load?.items ?? 0 });
    const sampler = lag;
    const client = balanced;
    let lastProgress = { t: t0, items: 0 };
    progress = setInterval(() => {
      const now = Date.now();
      const items = load?.items ?? 0;
      const sample = sampler.latest;
      const lagNow = sample ? lagOf(sample) : undefined;
      const rate = ((items - lastProgress.items) * 1000) / Math.max(1, now - lastProgress.t);
      const instances = live.map((_, slot) => `${labels[slot]} ${states[slot]}`).join(', ');
      say(
        `${stage}: sent ${fmtInt(items)} (${fmtInt(rate)}/s) | retries ${fmtInt(client.retries.length)} | lag ${fmtInt(lagNow)} (${lagNow === undefined ? '–' : (lagNow / options.rate).toFixed(2)} s) | ${instances} | machine ${(machine.busyBetween(now - options.progressEvery * 1000, now) * 100).toFixed(0)}% busy`,
      );
      lastProgress = { t: now, items };
    }, options.progressEvery * 1000);

    say(`warm-up: ${options.warmup} s at ${fmtInt(options.rate)} events/s`);
    await sleep(options.warmup * 1000);
    const warmupEnd = Date.now();
    markItems();

    const threshold = options.lagThreshold * options.rate;
    // The lag counts as back once it stayed under the threshold this long.
    const calmMs = 1_000;
    const recovered = (signalAt: number) =>
      recoveryOf(
        sampler.samples.filter((s) => s.t >= signalAt),
        threshold,
        signalAt,
        calmMs,
      ).seconds !== undefined;

    const restart = async (phase: RestartPhase, slot: number): Promise<RestartFigures> => {
      const old = live[slot];
      if (old === undefined) throw new Error(`no instance in slot ${slot + 1}`);
      const signal = phase === 'drain' ? 'SIGTERM' : 'SIGKILL';
      stage = `${phase} ${old.label}`;
      states[slot] = phase === 'drain' ? 'draining' : 'killed';
      const lagAtSignal = sampler.latest ? lagOf(sampler.latest) : 0;
      say(`${phase}: ${signal} ${old.label}`);
      const signalAt = Date.now();
      old.process.child.kill(signal);
      const exit = await within(
        options.drainTimeoutMs + 15_000,
        `${old.label} exit after ${signal}`,
        old.process.exited(),
      ).catch(async (error: unknown) => {
        say(`${old.label}: ${(error as Error).message}; SIGKILL`);
        old.process.child.kill('SIGKILL');
        return old.process.exited();
      });
      const exitAt = Date.now();
      states[slot] = 'down';
      live[slot] = undefined;
      await saveLog(old);
      say(
        `${phase}: ${old.label} exited ${exitText(exit)} ${((exitAt - signalAt) / 1000).toFixed(2)} s after ${signal}; starting its replacement`,
      );
      const replacement = await launch(slot);
      await waitFor(
        `${replacement.label} to own partitions`,
        () => replacement.firstPartitionsAt() !== undefined,
        90_000,
        50,
      );
      states[slot] = 'up';
      const partitionsAt = replacement.firstPartitionsAt() ?? Date.now();
      const readyAt = replacement.first('adgate ready')?.t;
      say(
        `${phase}: ${replacement.label} ready ${readyAt === undefined ? '?' : ((readyAt - signalAt) / 1000).toFixed(1)} s, owns [${replacement.lastAssignment()?.join(',')}] ${((partitionsAt - signalAt) / 1000).toFixed(1)} s after the ${signal}`,
      );
      stage = `${phase} ${replacement.label} settling`;
      for (;;) {
        const now = Date.now();
        const settled = now - partitionsAt >= options.settle * 1000;
        if (settled && (recovered(signalAt) || now - signalAt >= options.recoveryTimeout * 1000)) {
          break;
        }
        await sleep(100);
      }
      const windowEnd = Date.now();
      const window = sampler.samples.filter((s) => s.t >= signalAt && s.t <= windowEnd);
      let peak: LagSample | undefined;
      for (const s of window) if (peak === undefined || lagOf(s) > lagOf(peak)) peak = s;
      const maxLag = peak ? lagOf(peak) : 0;
      const recovery = recoveryOf(window, threshold, signalAt, calmMs);
      const retries = client.retries.filter((x) => x.t >= signalAt && x.t <= windowEnd);
      const everyone = [old, ...live.filter((i): i is Instance => i !== undefined)];
      const assignments: AssignmentSeen[] = everyone
        .flatMap((i) =>
          i
            .assignments()
            .filter((a) => a.t >= signalAt && a.t <= windowEnd)
            .map((a) => ({
              at: (a.t - signalAt) / 1000,
              instance: i.label,
              partitions: a.partitions,
            })),
        )
        .sort((a, b) => a.at - b.at);
      const problems = new Map<string, number>();
      for (const i of everyone) {
        // What a fresh process says before it is ready (the development key, say) is not news.
        const ready = i.first('adgate ready')?.t ?? 0;
        for (const e of i.events()) {
          if (e.t < Math.max(signalAt, ready) || e.t > windowEnd) continue;
          if (e.level !== 'warn' && e.level !== 'error') continue;
          const error = e.fields.error;
          const reason =
            e.fields.reason ??
            (typeof error === 'string' ? error : (error as { message?: unknown })?.message);
          const line = `${i.label} ${e.level} "${e.msg}"${reason === undefined ? '' : ` (${String(reason).slice(0, 100)})`}`;
          problems.set(line, (problems.get(line) ?? 0) + 1);
        }
      }
      const seen = old.first('signal received: draining')?.t;
      const finished = old.first('drain finished')?.t;
      const figures: RestartFigures = {
        phase,
        instance: old.label,
        replacement: replacement.label,
        signal,
        at: rel(signalAt),
        exit: exitText(exit),
        drainSeconds: (exitAt - signalAt) / 1000,
        ...(seen === undefined ? {} : { signalSeenSeconds: (seen - signalAt) / 1000 }),
        drainSteps: old.drainSteps(),
        ...(finished === undefined ? {} : { drainFinishedSeconds: (finished - signalAt) / 1000 }),
        ...(readyAt === undefined ? {} : { readySeconds: (readyAt - signalAt) / 1000 }),
        partitionsSeconds: (partitionsAt - signalAt) / 1000,
        lagAtSignal,
        maxLag,
        maxLagSeconds: maxLag / options.rate,
        maxLagAfter: peak ? (peak.t - signalAt) / 1000 : 0,
        ...(recovery.seconds === undefined ? {} : { recoverySeconds: recovery.seconds }),
        lagNeverAboveThreshold: recovery.neverAbove,
        windowSeconds: (windowEnd - signalAt) / 1000,
        retries503: retries.filter((x) => x.status === 503).length,
        retriesRefused: retries.filter((x) => x.status !== 503).length,
        replacementFirstAcksMs: client.acks
          .filter((a) => a.instance === slot && a.t >= (readyAt ?? exitAt))
          .slice(0, 5)
          .map((a) => Math.round(a.ms)),
        assignments,
        problems: [...problems].map(([line, count]) => ({ line, count })),
      };
      say(
        `${phase}: ${old.label} → ${replacement.label}: max lag ${fmtInt(maxLag)} (${figures.maxLagSeconds.toFixed(2)} s), lag back under ${fmtInt(threshold)} ${recovery.neverAbove ? '(never above)' : recovery.seconds === undefined ? 'NOT yet' : `${recovery.seconds.toFixed(1)} s`} after the ${signal}, ${retries.length} retries`,
      );
      return figures;
    };

    const phaseWindows: {
      name: RestartPhase;
      from: number;
      to: number;
      restarts: RestartFigures[];
    }[] = [];
    for (const phase of options.phases) {
      const from = Date.now();
      const restarts: RestartFigures[] = [];
      for (const slot of [0, 1]) restarts.push(await restart(phase, slot));
      phaseWindows.push({ name: phase, from, to: Date.now(), restarts });
      markItems();
    }

    stage = 'load ending';
    stopLoad = true;
    const finalLoad = await loadDone;
    const loadEnd = finalLoad.endedAtMs ?? Date.now();
    markItems();
    stage = 'final drain';
    say('final drain: waiting for the group to commit the topic end');
    const finalDrain = await sampler.waitDrained(options.finalDrainTimeout * 1000);
    const finalDrainAt = Date.now();
    await sleep(options.sampleEveryMs * 2);
    clearInterval(progress);
    sampler.stop();
    machine.stop();
    client.stopHealthChecks();
    say(
      `final drain: ${finalDrain.drained ? 'done' : `NOT done, lag ${fmtInt(finalDrain.lag)}`} in ${(finalDrain.waitedMs / 1000).toFixed(1)} s`,
    );

    say('gateways: SIGTERM to both (final stop)');
    const finalStops: FinalStop[] = await Promise.all(
      live.map(async (instance) => {
        if (instance === undefined)
          return { instance: '?', exit: '?', drainSeconds: 0, drainSteps: [] };
        const stopAt = Date.now();
        const exit = await instance.process
          .stop('SIGTERM', options.drainTimeoutMs + 15_000)
          .catch(() => ({ code: null, signal: 'SIGKILL' as NodeJS.Signals }));
        const stopSeconds = (Date.now() - stopAt) / 1000;
        await saveLog(instance);
        return {
          instance: instance.label,
          exit: exitText(exit),
          drainSeconds: stopSeconds,
          drainSteps: instance.drainSteps(),
        };
      }),
    );

    say('verify: PostgreSQL against the generator, HTTP rejections, DLQ');
    const messagesInTopic = await topicEnd(admin, names.topic);
    const dlqMessages =
      (await topicEnd(admin, names.dlqTopic)) + (await topicEnd(admin, names.deadTopic));
    pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    const verdict = await verifyTotals(pool, expected);
    const http = finalLoad.http;
    const failed = Object.values(http.failed).reduce((a, b) => a + b, 0);
    const checks: Check[] = [
      postgresCheck(expected.distinct, verdict),
      {
        name: 'every request acknowledged (202/422), none given up on',
        expected: '0 given up',
        actual: `${failed} given up ${JSON.stringify(http.failed)}`,
        ok: failed === 0,
      },
      {
        name: 'HTTP rejected every malformed event it was sent (202/422 bodies)',
        expected: fmtInt(finalLoad.malformedHttp),
        actual: fmtInt(http.rejected),
        ok: http.rejected === finalLoad.malformedHttp,
      },
      {
        name: 'no dead letters (malformed events never reach Kafka over HTTP)',
        expected: '0',
        actual: fmtInt(dlqMessages),
        ok: dlqMessages === 0,
      },
      {
        name: 'the group committed the topic end after the load',
        expected: `within ${options.finalDrainTimeout} s`,
        actual: finalDrain.drained
          ? `in ${(finalDrain.waitedMs / 1000).toFixed(1)} s`
          : `lag ${fmtInt(finalDrain.lag)}`,
        ok: finalDrain.drained,
      },
    ];
    const pass = checks.every((c) => c.ok);
    say(`verify: ${pass ? 'PASS' : 'FAIL'}`);

    const summarize = (
      name: PhaseSummary['name'],
      label: string,
      from: number,
      to: number,
      restarts: RestartFigures[],
    ): PhaseSummary => {
      const window = sampler.samples.filter((s) => s.t >= from && s.t <= to).map(lagOf);
      const maxLag = Math.max(0, ...window);
      const retries = client.retries.filter((x) => x.t >= from && x.t <= to);
      const items = (t: number) =>
        itemsAt.reduce((best, m) => (Math.abs(m.t - t) < Math.abs(best.t - t) ? m : best));
      const a = items(from);
      const b = items(to);
      return {
        name,
        label,
        from: rel(from),
        to: rel(to),
        offeredPerSecond: b.t > a.t ? ((b.items - a.items) * 1000) / (b.t - a.t) : 0,
        maxLag,
        maxLagSeconds: maxLag / options.rate,
        medianLag: quantile(window, 0.5) ?? 0,
        retries503: retries.filter((x) => x.status === 503).length,
        retriesRefused: retries.filter((x) => x.status !== 503).length,
        httpAck: latencyOf(client.acks.filter((x) => x.t >= from && x.t <= to).map((x) => x.ms)),
        machineBusy: machine.busyBetween(from, to),
        restarts,
      };
    };
    const phaseLabel = { drain: 'drain (SIGTERM)', kill: 'hard kill (SIGKILL)' } as const;
    // The first seconds of load find both instances cold (JIT, first connections, first
    // COPY): the steady baseline is the rest of the warm-up.
    const steadyFrom = t0 + Math.min(3_000, options.warmup * 500);
    const phases: PhaseSummary[] = [
      summarize(
        'warm-up',
        `steady (warm-up from ${rel(steadyFrom).toFixed(0)} s)`,
        steadyFrom,
        warmupEnd,
        [],
      ),
      ...phaseWindows.map((w) => summarize(w.name, phaseLabel[w.name], w.from, w.to, w.restarts)),
    ];

    const drainPhase = phases.find((p) => p.name === 'drain');
    const drains = drainPhase?.restarts ?? [];
    const lost = (['impression', 'click', 'conversion'] as const).reduce(
      (sum, type) => sum + Math.max(0, expected.byType[type] - (verdict.actual.byType[type] ?? 0)),
      0,
    );
    const extra = (['impression', 'click', 'conversion'] as const).reduce(
      (sum, type) => sum + Math.max(0, (verdict.actual.byType[type] ?? 0) - expected.byType[type]),
      0,
    );
    const killPhase = phases.find((p) => p.name === 'kill');
    const targets: Target[] = [
      {
        name: 'each drain, SIGTERM → exit, at steady load',
        target: '≤ 5 s',
        value:
          drains.length > 0 ? drains.map((d) => `${d.drainSeconds.toFixed(2)} s`).join(', ') : '–',
        met: drains.length > 0 ? drains.every((d) => d.drainSeconds <= 5) : undefined,
      },
      {
        name: 'max lag during the rolling restart (drain phase)',
        target: '≤ 2 s of traffic',
        value:
          drainPhase === undefined
            ? '–'
            : `${drainPhase.maxLagSeconds.toFixed(2)} s (${fmtInt(drainPhase.maxLag)} events)`,
        met: drainPhase === undefined ? undefined : drainPhase.maxLagSeconds <= 2,
      },
      {
        name: 'zero loss and zero duplicates (verifier)',
        target: '0 / 0',
        value: `${fmtInt(lost)} lost, ${fmtInt(extra)} extra${verdict.pass ? '' : `; ${verdict.differences.length} differences`}`,
        met: verdict.pass,
      },
      {
        name: 'each drain exits 0 (SPEC §7)',
        target: 'exit 0',
        value: drains.length > 0 ? drains.map((d) => d.exit).join(', ') : '–',
        met: drains.length > 0 ? drains.every((d) => d.exit === '0') : undefined,
      },
      {
        name: 'for comparison: max lag with hard kills',
        target: '(none)',
        value:
          killPhase === undefined
            ? '–'
            : `${killPhase.maxLagSeconds.toFixed(2)} s (${fmtInt(killPhase.maxLag)} events)`,
        met: undefined,
      },
    ];

    const spans = [
      { name: 'warm-up', from: 0, to: rel(warmupEnd) },
      ...phaseWindows.map((w) => ({ name: phaseLabel[w.name], from: rel(w.from), to: rel(w.to) })),
      { name: 'final drain', from: rel(loadEnd), to: rel(finalDrainAt) },
    ];
    const result: RollingResult = {
      version: 1,
      kind: 'rolling-restart',
      pass,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      options: { ...options, nowIso: new Date(options.nowMs).toISOString() },
      machine: {
        cpus: cpus().length,
        loadAverageAtStart: loadAtStart,
        loadAverageAtEnd: loadavg(),
        busyDuringLoad: machine.busyBetween(t0, loadEnd),
        node: process.version,
        note: 'Kafka, PostgreSQL, Redis, both gateways and this load generator share this machine; figures from a busy machine are noise.',
      },
      gateway: {
        instances: 2,
        partitions: options.partitions,
        drainTimeoutMs: options.drainTimeoutMs,
        sessionTimeoutMs: options.gatewayEnv.ADGATE_KAFKA_SESSION_TIMEOUT_MS ?? '10000',
        batchMaxEvents: options.gatewayEnv.ADGATE_BATCH_MAX_EVENTS ?? '5000',
        env: { ...options.gatewayEnv },
      },
      names: { ...names },
      rate: options.rate,
      lagThresholdEvents: threshold,
      stream: {
        distinct: expected.distinct,
        byType: { ...expected.byType },
        malformed: expected.malformed,
        messagesInTopic,
        requests: http.requests,
        lateSends: finalLoad.lateSends,
        noneInRotation: client.noneInRotation,
      },
      phases,
      finalDrain: {
        drained: finalDrain.drained,
        seconds: finalDrain.waitedMs / 1000,
        lag: finalDrain.lag,
      },
      finalStops,
      checks,
      differences: verdict.differences,
      targets,
      series: sampler.samples.map((s) => ({
        t: rel(s.t),
        produced: s.end,
        committed: s.committed,
        lag: lagOf(s),
      })),
      retrySeries: client.retries.map((x) => ({
        t: rel(x.t),
        instance: x.instance,
        status: x.status,
      })),
      ackSeries: client.acks.map((x) => ({ t: rel(x.t), ms: x.ms, instance: x.instance })),
      spans,
      files,
    };
    await writeFile(files.json as string, `${JSON.stringify(result, null, 2)}\n`);
    await writeFile(files.html as string, renderRollingHtml(result));
    console.log('');
    console.log(renderRollingTable(result));
    console.log('');
    console.log(`result: ${files.json}`);
    console.log(`chart:  ${files.html}`);
    console.log(`gateway logs: ${join(outDir, 'gateway-*.log')}`);
    return result;
  } finally {
    clearInterval(progress);
    stopLoad = true;
    lag?.stop();
    machine.stop();
    // Requests still trying give up at once, so that the load ends.
    await balanced?.close().catch(() => undefined);
    for (const instance of live) {
      if (instance === undefined || instance.exited) continue;
      await instance.process.stop('SIGTERM', 30_000).catch(() => undefined);
      await saveLog(instance).catch(() => undefined);
    }
    await loadDone?.catch(() => undefined);
    await pool?.end().catch(() => undefined);
    if (!options.keep) {
      say('cleanup: topics, group, Redis keys, database of this run (--keep to keep them)');
      const problems = await removeResources(names, admin, redis, options.pgAdminUrl);
      for (const p of problems) say(`cleanup: ${p}`);
    } else {
      say(
        `kept: topics ${names.topic}*, database ${names.database}, Redis prefix ${names.redisPrefix}`,
      );
    }
    await admin.disconnect().catch(() => undefined);
    redis.disconnect();
  }
}

await runBenchCli('rolling-restart', parseRollingOptions, rollingHelpText, runRolling);
