/**
 * Several wecom-oidc replicas as an operator would run them: separate `node main.js --config FILE`
 * processes on one database, behind one load balancer (a tiny reverse proxy here, whose URL is the
 * issuer and which lets a test choose the replica for each request), all using one WeCom (the
 * simulator, run in the test process so that its call counters can be read).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Koa from 'koa';
import { createMemoryLogger } from '../../src/observability/log.js';
import { createWeComSimulator, type WeComSimulator } from '../../src/simulator/index.js';
import { AGENT_ID, APP_SECRET, CONFIDENTIAL, CORP_ID, freePort } from './server.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/**
 * The replicas run a build of src/ of their own, compiled with the project's build settings: a
 * private output directory, so that this suite never races another one rebuilding dist/. It sits
 * under node_modules so that the compiled code resolves the project's dependencies.
 */
const BUILD_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'wecom-oidc-replicas');
const MAIN = join(BUILD_DIR, 'main.js');

export function buildForReplicas(): void {
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = ['-p', 'tsconfig.build.json', '--outDir', BUILD_DIR, '--tsBuildInfoFile', join(BUILD_DIR, '.tsbuildinfo')];
  const build = spawnSync(process.execPath, [tsc, ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`building the replicas failed (${build.status}):\n${build.stdout}\n${build.stderr}`);
  cpSync(join(REPO_ROOT, 'src', 'web', 'views'), join(BUILD_DIR, 'web', 'views'), { recursive: true });
}

export type ReplicaName = 'a' | 'b';

export interface ProxiedRequest {
  replica: ReplicaName;
  method: string;
  path: string;
}

/** The load balancer: forwards each request, unchanged (Host included), to the replica `route` picks. */
export interface ReplicaProxy {
  url: string;
  /** Every request forwarded, in order. */
  readonly log: ProxiedRequest[];
  /** Sends everything to one replica. */
  routeAll(replica: ReplicaName): void;
  /** Alternates request by request, as a load balancer without sticky sessions does. */
  roundRobin(): void;
  setTargets(ports: Record<ReplicaName, number>): void;
  close(): Promise<void>;
}

export async function startProxy(): Promise<ReplicaProxy> {
  let targets: Record<ReplicaName, number> | undefined;
  let route: (incoming: IncomingMessage) => ReplicaName = () => 'a';
  const log: ProxiedRequest[] = [];
  const server = createServer((incoming, outgoing) => {
    const replica = route(incoming);
    log.push({ replica, method: incoming.method ?? 'GET', path: incoming.url ?? '/' });
    if (!targets) {
      outgoing.writeHead(503).end('no replicas yet');
      return;
    }
    const upstream = request(
      { host: '127.0.0.1', port: targets[replica], method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-served-by': replica });
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', (error) => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end(`replica ${replica} failed: ${error.message}`);
    });
    incoming.pipe(upstream);
  });
  await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    routeAll(replica) {
      route = () => replica;
    },
    roundRobin() {
      let next = 0;
      route = () => (next++ % 2 ? 'b' : 'a');
    },
    setTargets(ports) {
      targets = ports;
    },
    close: () => closeServer(server),
  };
}

export interface SharedWeCom {
  /** What the replicas' `wecom.apiBase`, `qrLoginBase` and `oauthBase` point at. */
  base: string;
  simulator: WeComSimulator;
  close(): Promise<void>;
}

/**
 * The simulator on its own port. `gettokenLatencyMs` makes `gettoken` as slow as WeCom's can be,
 * so that "two replicas want a token at the same moment" reliably happens in a test.
 */
export async function startSharedWeCom(issuer: string, gettokenLatencyMs: number): Promise<SharedWeCom> {
  const basePath = '/wecom-simulator';
  const simulator = createWeComSimulator({
    apps: [{ corpId: CORP_ID, agentId: AGENT_ID, secret: APP_SECRET, legacyContactFields: false }],
    trustedDomain: new URL(issuer).host,
    basePath,
    log: createMemoryLogger(),
  });
  const app = new Koa();
  app.silent = true;
  app.use(async (ctx, next) => {
    if (ctx.path.endsWith('/cgi-bin/gettoken')) await new Promise((resolve) => setTimeout(resolve, gettokenLatencyMs));
    await next();
  });
  app.use(simulator.middleware());
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- koa's callback() answers its own errors (ctx.onerror); its promise never rejects
  const server = createServer(app.callback());
  await listenOnLoopback(server);
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}${basePath}`,
    simulator,
    close: () => closeServer(server),
  };
}

export interface Replica {
  name: ReplicaName;
  port: number;
  /** Everything the process printed, for the failure message. */
  output: string[];
  stop(): Promise<void>;
}

export interface ReplicaSettings {
  issuer: string;
  wecomBase: string;
  databaseUrl: string;
  schema: string;
}

/** Starts one replica process and waits until it answers discovery. */
export async function startReplica(name: ReplicaName, settings: ReplicaSettings): Promise<Replica> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `wecom-oidc-replica-${name}-`));
  const config = {
    issuer: settings.issuer,
    listen: { host: '127.0.0.1', port },
    storage: { driver: 'postgres', url: settings.databaseUrl, schema: settings.schema },
    clients: [CONFIDENTIAL],
    connections: [{ identifier: 'wecom', displayName: '企业微信', corpId: CORP_ID, agentId: AGENT_ID, secret: APP_SECRET }],
    wecom: { apiBase: settings.wecomBase, qrLoginBase: settings.wecomBase, oauthBase: settings.wecomBase, embeddedPanel: false },
    simulator: { enabled: false },
  };
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));

  const child = spawn(process.execPath, [MAIN, '--config', configPath], {
    cwd: dir,
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const replica: Replica = {
    name,
    port,
    output,
    async stop() {
      await stopProcess(child, exited);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitUntilServing(port, exited);
  } catch (error) {
    await replica.stop();
    throw new Error(`replica ${name} did not start: ${(error as Error).message}\n${output.join('')}`, { cause: error });
  }
  return replica;
}

async function waitUntilServing(port: number, exited: Promise<number | null>): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`it exited with ${exitCode}`);
    // Not discovery: its URLs follow the Host a request names, and only the proxy's Host is public.
    const answered = await fetch(`http://127.0.0.1:${port}/jwks`).then(
      (response) => response.ok,
      () => false,
    );
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no answer within 30 s');
}

async function stopProcess(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function listenOnLoopback(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
