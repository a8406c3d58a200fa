/**
 * `npm run bench:replicas -- [--seconds 10] [--rounds 3] [--users 16]`
 *
 * Scale-out in simulation: sign-in throughput of one replica of ours, pinned to core 0, then of two
 * replicas on one PostgreSQL schema, the second pinned to core 1, behind a round-robin load
 * balancer (in this process) whose URL is the issuer. Both use one WeCom simulator process. For each
 * phase: sign-ins/s (median of the rounds, every round shown), and each replica's CPU use (a
 * replica near 100 % of its core is CPU-bound). PostgreSQL, the simulator and this load generator
 * are not pinned and share the same cores, so on a 2-core machine the second replica cannot add a
 * full core's worth: the figures say how much it does add.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spreadOf } from './compare.js';
import { signInLoad, median } from './load.js';
import { dropSchemas, newSchemaName } from './postgres.js';
import { cpuSecondsOf, freePort, installExitHandlers, startChild, stopAllChildren, type Child } from './processes.js';
import { ourConfig, startSimulator, type Workspace } from './servers.js';

const flags = new Map<string, string>();
for (let index = 2; index < process.argv.length; index += 2) flags.set(process.argv[index]!.replace(/^--/, ''), process.argv[index + 1] ?? '');
const seconds = Number(flags.get('seconds') ?? 10);
const rounds = Number(flags.get('rounds') ?? 3);
const users = Number(flags.get('users') ?? 16);
const url = flags.get('pg-url') ?? process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A round-robin reverse proxy over the replicas' ports; its own port is the issuer's. */
function startBalancer(port: number, targets: () => number[]): Promise<() => Promise<void>> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  let next = 0;
  const server = createServer((incoming, outgoing) => {
    const ports = targets();
    const target = ports[next++ % ports.length]!;
    const forward = request(
      { host: '127.0.0.1', port: target, method: incoming.method, path: incoming.url, headers: incoming.headers, agent },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(forward);
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () =>
      resolve(
        () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      ),
    ),
  );
}

async function main(): Promise<void> {
  if (availableParallelism() < 2) throw new Error('two replicas pinned to a core each need at least 2 cores');
  const dir = mkdtempSync(join(tmpdir(), 'wecom-oidc-replicas-'));
  const balancerPort = await freePort();
  const space: Workspace = {
    dir,
    ports: { simulator: await freePort(), 'ours-a': balancerPort, 'ours-b': await freePort(), bare: await freePort() },
  };
  installExitHandlers(async () => {
    await stopAllChildren();
  });
  const schema = newSchemaName('postgres-main');
  const replicaPorts = [await freePort(), await freePort()];
  const running: { child: Child; port: number }[] = [];
  const stopBalancer = await startBalancer(balancerPort, () => running.map((replica) => replica.port));
  const startReplica = async (index: number) => {
    const config = ourConfig(space, 'ours-a', { driver: 'postgres', url, schema });
    config.listen = { host: '127.0.0.1', port: replicaPorts[index] };
    const replicaDir = join(dir, `replica-${index}`);
    mkdirSync(replicaDir, { recursive: true });
    const file = join(replicaDir, 'config.json');
    writeFileSync(file, JSON.stringify(config));
    const child = await startChild({
      name: `replica ${index} (core ${index})`,
      command: 'taskset',
      args: ['-c', String(index), process.execPath, 'dist/main.js', '--config', file],
      logFile: join(replicaDir, 'server.log'),
      readyUrl: `http://127.0.0.1:${replicaPorts[index]}/.well-known/openid-configuration`,
    });
    running.push({ child, port: replicaPorts[index]! });
  };

  const lines: string[] = [
    `load average at start ${loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')}`,
  ];
  try {
    await startSimulator(space);
    const issuer = `http://127.0.0.1:${balancerPort}`;
    const phase = async (label: string) => {
      await signInLoad({ issuer, users, seconds: Math.min(2, seconds) }); // warm-up
      const rates: number[] = [];
      const busy: number[][] = [];
      for (let round = 0; round < rounds; round += 1) {
        const before = running.map((replica) => cpuSecondsOf(replica.child.pid));
        const run = await signInLoad({ issuer, users, seconds });
        rates.push(run.rps);
        busy.push(running.map((replica, index) => (cpuSecondsOf(replica.child.pid) - before[index]!) / run.seconds));
        if (run.failed) lines.push(`  ! ${label}: ${run.failed} sign-ins failed (${run.firstError ?? ''})`);
      }
      const cores = running.map((_, index) => `replica ${index} ${(median(busy.map((round) => round[index]!)) * 100).toFixed(0)} % of its core`);
      lines.push(
        `${label}: ${median(rates).toFixed(1)} sign-ins/s (rounds ${rates.map((rate) => rate.toFixed(1)).join(' / ')}, spread ${(spreadOf(rates) * 100).toFixed(0)} %); ${cores.join(', ')}`,
      );
      return median(rates);
    };
    await startReplica(0);
    const one = await phase('one replica (core 0)');
    await startReplica(1);
    const two = await phase('two replicas (cores 0 and 1), round-robin');
    lines.push(`the second replica adds ${(((two - one) / one) * 100).toFixed(0)} % (${(two / one).toFixed(2)}x)`);
    lines.push(
      `load average at end ${loadavg()
        .map((load) => load.toFixed(1))
        .join(' ')}; PostgreSQL, the simulator and this generator are unpinned`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await stopAllChildren();
    await stopBalancer();
    await dropSchemas(url).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`replicas failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
