import { type GatewayProcess, startGatewayProcess } from '../../testkit/gateway-process.js';

/**
 * The gateway processes one test file starts, each on the same base
 * environment (read at each start: the pipeline it names is made in
 * `before`), and killed together when the test is done.
 */
export class GatewayFleet {
  private readonly started: GatewayProcess[] = [];

  constructor(private readonly baseEnv: () => Record<string, string>) {}

  async start(env: Record<string, string> = {}): Promise<GatewayProcess> {
    const gateway = await startGatewayProcess({ ...this.baseEnv(), ...env });
    this.started.push(gateway);
    return gateway;
  }

  /** SIGKILL to every gateway still running (and its workers); forgets them all. */
  async killAll(): Promise<void> {
    for (const g of this.started.splice(0)) await g.stop('SIGKILL').catch(() => undefined);
  }
}
