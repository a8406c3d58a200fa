/**
 * Starting the three kinds of process under test: the WeCom simulator (one process, one instance
 * per provider), the bare oidc-provider, and our server from the built code (`node dist/main.js
 * --config FILE`) with the simulator turned off and WeCom's three base URLs pointing at its
 * instance. Our server's WeCom `gettoken` calls are counted per process from the simulator's
 * counters (one server at a time uses an instance).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { send } from './http.js';
import { APPS, CALLS_PATH, CLIENT, CONNECTION, CORP_ID, simulatorPath, type SimulatorInstance } from './fixtures.js';
import { startChild, stopChild, type Child } from './processes.js';

/** The simulator instances: our servers take turns on `ours-a` and `ours-b`; the bare provider has its own. */
export type InstanceName = 'ours-a' | 'ours-b' | 'bare';

export interface BenchPorts {
  simulator: number;
  'ours-a': number;
  'ours-b': number;
  bare: number;
}

export interface Workspace {
  dir: string;
  ports: BenchPorts;
}

const TSX = ['--import', 'tsx'];

export const origin = (port: number) => `http://127.0.0.1:${port}`;
const simulatorBase = (ports: BenchPorts, instance: InstanceName) => `${origin(ports.simulator)}${simulatorPath(instance)}`;

export function startSimulator(space: Workspace): Promise<Child> {
  const instances: SimulatorInstance[] = (['ours-a', 'ours-b', 'bare'] as const).map((name) => ({
    name,
    trustedDomain: `127.0.0.1:${space.ports[name]}`,
    app: name === 'bare' ? APPS.bare : APPS.ours,
  }));
  return startChild({
    name: 'simulator',
    args: [...TSX, 'bench/simulator-server.ts'],
    env: { BENCH_SIM_PORT: String(space.ports.simulator), BENCH_SIM_INSTANCES: JSON.stringify(instances) },
    logFile: join(space.dir, 'simulator.log'),
    readyUrl: `${origin(space.ports.simulator)}${CALLS_PATH}`,
  });
}

/** `nodeArgs`: for Node itself, e.g. `--cpu-prof` (bench/profile.ts). */
export function startBare(space: Workspace, nodeArgs: string[] = []): Promise<Child> {
  return startChild({
    name: 'bare oidc-provider',
    args: [...nodeArgs, ...TSX, 'bench/bare-provider.ts'],
    env: { BENCH_BARE_PORT: String(space.ports.bare), BENCH_SIM_BASE: simulatorBase(space.ports, 'bare') },
    logFile: join(space.dir, 'bare.log'),
    readyUrl: `${origin(space.ports.bare)}/.well-known/openid-configuration`,
  });
}

/** Every simulator instance's API call counters. */
export async function simulatorCalls(space: Workspace): Promise<Record<string, Record<string, number>>> {
  const answer = await send(`${origin(space.ports.simulator)}${CALLS_PATH}`);
  return JSON.parse(answer.body) as Record<string, Record<string, number>>;
}

/** Our server's configuration, as an operator would write it for this machine. */
export function ourConfig(space: Workspace, instance: InstanceName, storage: Record<string, unknown>): Record<string, unknown> {
  const port = space.ports[instance as 'ours-a' | 'ours-b'];
  const wecom = simulatorBase(space.ports, instance);
  return {
    issuer: origin(port),
    listen: { host: '127.0.0.1', port },
    storage,
    clients: [CLIENT],
    connections: [{ identifier: CONNECTION, displayName: '企业微信', corpId: CORP_ID, agentId: APPS.ours.agentId, secret: APPS.ours.secret }],
    wecom: { apiBase: wecom, qrLoginBase: wecom, oauthBase: wecom },
    simulator: { enabled: false },
    rateLimits: UNREFUSING_RATE_LIMITS,
  };
}

/** The schema's largest count per window: counted, never reached in a bench run. */
const UNREFUSING = { points: 10_000_000, durationSeconds: 1 };

/**
 * The load generator is one address sending far more than any company's peak: the limits stay on
 * (their bookkeeping is part of what a request costs) but so high that none refuses.
 */
export const UNREFUSING_RATE_LIMITS = {
  auth: UNREFUSING,
  interaction: UNREFUSING,
  callback: UNREFUSING,
  token: UNREFUSING,
  tokenPerClient: UNREFUSING,
};

export interface OurServer {
  name: string;
  instance: 'ours-a' | 'ours-b';
  issuer: string;
  child: Child;
  gettokenBefore: number;
}

export interface GettokenRecord {
  process: string;
  app: string;
  gettoken: number;
}

export async function startOurs(
  space: Workspace,
  name: string,
  instance: 'ours-a' | 'ours-b',
  config: Record<string, unknown>,
  readyTimeoutMs = 120_000,
  nodeArgs: string[] = [],
): Promise<OurServer> {
  const dir = join(space.dir, name);
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const gettokenBefore = (await simulatorCalls(space))[instance]?.gettoken ?? 0;
  const child = await startChild({
    name: `our server (${name})`,
    args: [...nodeArgs, 'dist/main.js', '--config', configFile],
    logFile: join(dir, 'server.log'),
    readyUrl: `${origin(space.ports[instance])}/.well-known/openid-configuration`,
    readyTimeoutMs,
  });
  return { name, instance, issuer: origin(space.ports[instance]), child, gettokenBefore };
}

/** Stops our server and says how many gettoken calls it made in its life. */
export async function stopOurs(space: Workspace, server: OurServer): Promise<GettokenRecord> {
  await stopChild(server.child);
  const after = (await simulatorCalls(space))[server.instance]?.gettoken ?? 0;
  return { process: `ours (${server.name})`, app: `${CORP_ID}/${APPS.ours.agentId}`, gettoken: after - server.gettokenBefore };
}

export function storageDir(space: Workspace, name: string): string {
  const dir = join(space.dir, name, 'data');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
