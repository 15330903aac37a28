import type { Config } from '../config/load-config.js';
import type { Gateway, GatewayOptions } from '../create-gateway.js';
import { AdgateError } from '../errors/adgate-error.js';
import { runUntilDrained } from '../lifecycle/run-until-drained.js';
import type { Logger } from '../telemetry/logger.js';
import type { WorkerSpec } from './plan-workers.js';
import { workerConfig } from './worker-config.js';
import { isMessage, type ToSupervisor, type ToWorker } from './worker-messages.js';

export type StartGateway = (
  config: Config,
  log: Logger,
  onDrainRequested: () => void,
  onFatal: (error: unknown) => void,
  options: GatewayOptions,
) => Promise<Gateway>;

/** How long an HTTP worker waits for the supervisor's merged /metrics. */
const METRICS_TIMEOUT_MS = 5_000;

/**
 * One worker process of an instance (forked by supervise-workers.ts): its
 * part of the gateway, run until drained as a single process is, with its
 * lifecycle reported to the supervisor and the supervisor's drain, failure
 * and render requests obeyed. A worker whose supervisor is gone drains and
 * exits: an instance never runs half of itself unsupervised.
 */
export function runWorker(config: Config, spec: WorkerSpec, log: Logger, start: StartGateway) {
  const link = connectToSupervisor(log);
  const own = workerConfig(config, spec);
  return runUntilDrained(
    async (onDrainRequested, onFatal) => {
      link.onDrain(onDrainRequested);
      const gateway = await start(
        own,
        log,
        () => link.send({ type: 'adgate:drain-request' }),
        onFatal,
        {
          listen: spec.listens,
          renderMetrics: () => link.instanceMetrics(),
          // One worker speaks for the instance at start (a small DLQ topic, the development key).
          reportsForInstance: spec.listens && spec.index === 0,
          // The supervisor holds the instance's metrics port.
          servesMetricsPort: false,
        },
      );
      link.attach(gateway);
      return gateway;
    },
    { drainTimeoutMs: config.ADGATE_DRAIN_TIMEOUT_MS, log },
  );
}

/** The worker's end of the IPC channel. */
function connectToSupervisor(log: Logger) {
  const send = (message: ToSupervisor) => {
    if (process.connected) process.send?.(message);
  };
  let gateway: Gateway | undefined;
  let drain: (() => void) | undefined;
  let failure: AdgateError | undefined;
  const waiting = new Map<number, (text: string | undefined) => void>();
  let nextId = 0;

  const failWith = (message: string) => {
    failure = new AdgateError('worker_failed', message, { retriable: false });
    // Counted where it happened; here it only fails this process with it.
    gateway?.fail(failure, { count: false });
  };
  process.on('message', (message: unknown) => {
    if (!isMessage<ToWorker>(message)) return;
    if (message.type === 'adgate:drain') drain?.();
    else if (message.type === 'adgate:fail') failWith(message.message);
    else if (message.type === 'adgate:metrics') waiting.get(message.id)?.(message.text);
    else if (message.type === 'adgate:render') void renderOwn(message.id);
  });
  process.on('disconnect', () => {
    log.warn('the supervisor is gone: draining this worker');
    failWith('the supervisor process is gone');
    drain?.();
  });
  const renderOwn = async (id: number) => {
    const text = await gateway?.metrics.render().catch(() => undefined);
    send({ type: 'adgate:rendered', id, text: text ?? '' });
  };

  return {
    send,
    onDrain(requestDrain: () => void) {
      drain = requestDrain;
    },
    attach(started: Gateway) {
      gateway = started;
      started.lifecycle.onChange((state) =>
        send({ type: 'adgate:state', state, port: started.port }),
      );
      if (failure !== undefined) started.fail(failure, { count: false });
    },
    instanceMetrics(): Promise<string> {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => settle(undefined), METRICS_TIMEOUT_MS);
        const settle = (text: string | undefined) => {
          clearTimeout(timer);
          waiting.delete(id);
          if (text === undefined) reject(new Error('the supervisor did not answer for /metrics'));
          else resolve(text);
        };
        waiting.set(id, settle);
        send({ type: 'adgate:metrics-request', id });
      });
    },
  };
}
