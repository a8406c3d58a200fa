/**
 * `npm run bench`: our server (built code, one child process per configuration) against a bare
 * oidc-provider configured the same way, both signing in through one WeCom simulator process; the
 * load generator (this process) hits them over loopback. For each storage driver: every operation
 * in alternating rounds, then sign-in throughput with a large store against an empty one, then our
 * server's RSS after many sign-ins. Finally the gettoken count per server process. Prints the
 * tables and writes bench/results/latest.json.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../src/config/schema.js';
import { alternate, OPERATIONS, type Contender } from './compare.js';
import { completedSignIns, refreshGrantBody, offlineSignIn, tokenRequest } from './flows.js';
import { signInLoad, type Measurement } from './load.js';
import { parseOptions, USAGE, UsageError, type BenchOptions, type StorageDriver } from './options.js';
import { dropSchemas, newSchemaName, postgresUnavailable } from './postgres.js';
import { preloadPostgres, writeLowdbSnapshot } from './preload.js';
import { freePort, installExitHandlers, memoryOf, sleep, stopAllChildren, stopChild, type Child } from './processes.js';
import {
  formatGettoken,
  formatVariant,
  loadWarning,
  RSS_LIMIT_MIB,
  SCALE_MINIMUM_RATIO,
  type BenchResult,
  type MemoryResult,
  type ScaleResult,
  type VariantResult,
} from './report.js';
import {
  origin,
  ourConfig,
  simulatorCalls,
  startBare,
  startOurs,
  startSimulator,
  stopOurs,
  storageDir,
  type GettokenRecord,
  type OurServer,
  type Workspace,
} from './servers.js';

const RESULTS = 'bench/results/latest.json';
const began = Date.now();
const progress = (line: string) => process.stderr.write(`[${String(Math.round((Date.now() - began) / 1000)).padStart(4)} s] ${line}\n`);

const gettoken: GettokenRecord[] = [];

/** How often RSS is read while the server sits idle after the RSS sign-ins. */
const RSS_IDLE_STEP_SECONDS = 15;

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  if (!existsSync('dist/main.js')) throw new Error('dist/main.js is missing: run `npm run build` first (npm run bench does)');
  const started = Date.now();
  const loadAtStart = loadavg();
  const space: Workspace = { dir: mkdtempSync(join(tmpdir(), 'wecom-oidc-bench-')), ports: await pickPorts() };
  let finished = false;
  installExitHandlers(() => cleanUp(space, options, finished));
  progress(`bench: ${options.quick ? 'quick' : 'full'} run, ${options.rounds} round(s) of ${options.seconds} s; logs in ${space.dir}`);

  try {
    await startSimulator(space);
    const bare = await startBare(space);
    const variants: VariantResult[] = [];
    for (const driver of options.drivers) variants.push(await runVariant(space, options, driver, bare));
    const bareGettoken = (await simulatorCalls(space)).bare?.gettoken ?? 0;
    await stopChild(bare);

    const result: BenchResult = {
      startedAt: new Date(started).toISOString(),
      seconds: (Date.now() - started) / 1000,
      machine: { cpus: availableParallelism(), node: process.version, loadAverage: { atStart: loadAtStart, atEnd: loadavg() } },
      options,
      variants,
      gettoken: { perProcess: gettoken, met: gettoken.length > 0 && gettoken.every((record) => record.gettoken === 1) && bareGettoken === 1 },
    };
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);

    const busy = loadWarning(result.machine.cpus, loadAtStart, result.machine.loadAverage.atEnd);
    const output = [
      '',
      `wecom-oidc benchmark, ${result.machine.cpus} cores, Node ${result.machine.node}, ${options.rounds} round(s) x ${options.seconds} s, ` +
        `medians over rounds; ${options.connections} connections (single requests), ${options.users} virtual users (sign-ins); ` +
        `load average ${loadAtStart.map((load) => load.toFixed(1)).join(' ')} at start, ${result.machine.loadAverage.atEnd.map((load) => load.toFixed(1)).join(' ')} at end`,
      ...(busy ? [busy] : []),
      '',
      ...variants.flatMap((variant) => [formatVariant(variant), '']),
      formatGettoken(result.gettoken, bareGettoken),
      '',
      ...methodNotes(options),
      '',
      `took ${result.seconds.toFixed(0)} s; results in ${RESULTS}`,
    ];
    process.stdout.write(`${output.join('\n')}\n`);
    finished = true;
  } finally {
    await cleanUp(space, options, finished);
  }
}

function methodNotes(options: BenchOptions): string[] {
  return [
    'How: servers run in their own processes (ours from dist/, the bare provider and the WeCom simulator under tsx); autocannon and',
    '  the sign-in users run in this process and share the 2 cores with them, so the cheapest endpoints are partly generator-bound:',
    '  "server CPU us/op" (from /proc/<pid>/stat) is what a request costs the server, whatever the generator manages.',
    '- ratio: the median of ours over the median of bare (req/s, each over the rounds listed under its table); CPU likewise.',
    `- token: each round redeems ${options.codesPerRound.toLocaleString('en-US')} codes minted beforehand (batches of ${options.codeBatch}, PKCE verifier each), not ${options.seconds} s; server CPU counts the redeeming, not the minting.`,
    '- refresh: 32 refresh tokens reused round-robin (checked: neither provider rotates them for this confidential client).',
    "- sign-in: a fresh browser per sign-in (new session and grant), all as the simulator's one active member ZhangSan; scale",
    '  and RSS use the same flow. The bare provider keeps no accounts and skips department names (no department/get).',
  ];
}

async function pickPorts(): Promise<Workspace['ports']> {
  const ports = new Set<number>();
  while (ports.size < 4) ports.add(await freePort());
  const [simulator, a, b, bare] = [...ports] as [number, number, number, number];
  return { simulator, 'ours-a': a, 'ours-b': b, bare };
}

async function cleanUp(space: Workspace, options: BenchOptions, finished: boolean): Promise<void> {
  await stopAllChildren();
  await dropSchemas(options.postgresUrl).catch((error: Error) => progress(`could not drop the bench schemas: ${error.message}`));
  // Logs are kept when something went wrong; a good run leaves nothing behind.
  if (finished) rmSync(space.dir, { recursive: true, force: true });
}

/** One storage configuration of ours, fresh (an empty lowdb file, or a new PostgreSQL schema). */
function freshStorage(space: Workspace, options: BenchOptions, driver: StorageDriver, name: string): Record<string, unknown> {
  if (driver === 'lowdb') return { driver: 'lowdb', path: join(storageDir(space, name), 'db.json') };
  return { driver: 'postgres', url: options.postgresUrl, schema: newSchemaName(name) };
}

async function runVariant(space: Workspace, options: BenchOptions, driver: StorageDriver, bare: Child): Promise<VariantResult> {
  const variant: VariantResult = { driver, operations: [], errors: [] };
  if (driver === 'postgres') {
    const reason = await postgresUnavailable(options.postgresUrl, (storage) => ourConfig(space, 'ours-a', storage));
    if (reason) {
      progress(`${driver}: ${reason}`);
      return { ...variant, unavailable: reason };
    }
  }
  try {
    await compareWithBare(space, options, driver, variant, bare);
  } catch (error) {
    variant.errors.push(`comparison stopped: ${(error as Error).message}`);
    progress(`${driver}: comparison stopped: ${(error as Error).stack ?? (error as Error).message}`);
  }
  try {
    await scaleAndMemory(space, options, driver, variant);
  } catch (error) {
    variant.errors.push(`scale/RSS stopped: ${(error as Error).message}`);
    progress(`${driver}: scale/RSS stopped: ${(error as Error).stack ?? (error as Error).message}`);
  }
  return variant;
}

async function startFresh(space: Workspace, options: BenchOptions, driver: StorageDriver, name: string, instance: 'ours-a' | 'ours-b') {
  const server = await startOurs(space, name, instance, ourConfig(space, instance, freshStorage(space, options, driver, name)));
  completedSignIns.delete(server.issuer);
  return server;
}

async function withServer<T>(space: Workspace, server: OurServer, use: (server: OurServer) => Promise<T>): Promise<T> {
  try {
    return await use(server);
  } finally {
    gettoken.push(await stopOurs(space, server));
  }
}

async function compareWithBare(space: Workspace, options: BenchOptions, driver: StorageDriver, variant: VariantResult, bare: Child): Promise<void> {
  progress(`${driver}: starting our server`);
  const ours = await startFresh(space, options, driver, `${driver}-main`, 'ours-a');
  await withServer(space, ours, async () => {
    const contenders: [Contender, Contender] = [
      { name: 'ours', issuer: ours.issuer, pid: ours.child.pid },
      { name: 'bare', issuer: origin(space.ports.bare), pid: bare.pid },
    ];
    await checkRefreshReuse(contenders);
    for (const operation of OPERATIONS) {
      progress(`${driver}: ${operation.label}`);
      const [oursSummary, bareSummary] = await alternate(contenders, (issuer) => operation.prepare(issuer, options), options, progress);
      const ratio = oursSummary.rps / bareSummary.rps;
      variant.operations.push({
        key: operation.key,
        label: operation.label,
        ours: oursSummary,
        bare: bareSummary,
        ratio,
        minimumRatio: operation.minimumRatio[driver],
        met: ratio >= operation.minimumRatio[driver],
      });
    }
  });
}

/**
 * The refresh rounds reuse a small pool of refresh tokens, which is only honest if neither
 * provider rotates them (each would then be single-use). Checked, not assumed.
 */
async function checkRefreshReuse(contenders: readonly Contender[]): Promise<void> {
  for (const { name, issuer } of contenders) {
    const { tokens } = await offlineSignIn(issuer);
    const first = await tokenRequest(issuer, refreshGrantBody(tokens.refresh_token ?? ''));
    await tokenRequest(issuer, refreshGrantBody(tokens.refresh_token ?? ''));
    if (first.refresh_token && first.refresh_token !== tokens.refresh_token) {
      throw new Error(`${name} rotates refresh tokens: the refresh rounds would need single-use pools`);
    }
  }
}

async function scaleAndMemory(space: Workspace, options: BenchOptions, driver: StorageDriver, variant: VariantResult): Promise<void> {
  const accounts = options.scaleAccounts;
  progress(`${driver}: scale, preloading ${accounts.toLocaleString('en-US')} accounts and grants`);
  const preloadStart = Date.now();
  const storage = freshStorage(space, options, driver, `${driver}-preloaded`);
  if (driver === 'lowdb') {
    await writeLowdbSnapshot(String(storage.path), accounts);
    progress(`  lowdb snapshot: ${(statSync(String(storage.path)).size / 2 ** 20).toFixed(1)} MiB`);
  } else {
    const parsed = configSchema.parse(ourConfig(space, 'ours-b', storage));
    if (parsed.storage.driver !== 'postgres') throw new Error('expected a PostgreSQL storage configuration');
    progress(`  preloaded by ${await preloadPostgres(parsed.storage, accounts)}`);
  }
  const preloadSeconds = (Date.now() - preloadStart) / 1000;

  const empty = await startFresh(space, options, driver, `${driver}-empty`, 'ours-a');
  await withServer(space, empty, async () => {
    const atStart = memoryOf(empty.child.pid);
    const startAt = Date.now();
    const preloaded = await startOurs(space, `${driver}-preloaded`, 'ours-b', ourConfig(space, 'ours-b', storage), 600_000);
    const startSeconds = (Date.now() - startAt) / 1000;
    await withServer(space, preloaded, async () => {
      const contenders: [Contender, Contender] = [
        { name: 'empty store', issuer: empty.issuer, pid: empty.child.pid },
        { name: `${accounts} accounts`, issuer: preloaded.issuer, pid: preloaded.child.pid },
      ];
      const prepare = async (issuer: string) => (seconds: number) => signInLoad({ issuer, users: options.users, seconds });
      const [emptySummary, preloadedSummary] = await alternate(contenders, prepare, options, progress);
      const ratio = preloadedSummary.rps / emptySummary.rps;
      const scale: ScaleResult = {
        accounts,
        empty: emptySummary,
        preloaded: preloadedSummary,
        ratio,
        met: ratio >= SCALE_MINIMUM_RATIO,
        preloadSeconds,
        startSeconds,
      };
      variant.scale = scale;
    });

    // The empty-store server goes on to the RSS measurement; what it signed in so far counts.
    const done = completedSignIns.get(empty.issuer) ?? 0;
    const remaining = Math.max(0, options.rssSignIns - done);
    progress(`${driver}: RSS, ${remaining} more sign-ins (${done} done) at ${options.rssUsers} at a time`);
    // In stretches, reading RSS after each, so growth with sign-ins shows apart from a one-off plateau.
    const stretch = options.quick ? 250 : 2_000;
    const samples: MemoryResult['samples'] = [{ signIns: done, rssMiB: memoryOf(empty.child.pid).rssMiB }];
    const run: Measurement = { rps: 0, p50: Number.NaN, p99: Number.NaN, ok: 0, failed: 0, seconds: 0 };
    for (let left = remaining; left > 0; left -= stretch) {
      const part = await signInLoad({ issuer: empty.issuer, users: options.rssUsers, total: Math.min(stretch, left) });
      Object.assign(run, { ok: run.ok + part.ok, failed: run.failed + part.failed, seconds: run.seconds + part.seconds });
      run.firstError ??= part.firstError;
      samples.push({ signIns: completedSignIns.get(empty.issuer) ?? 0, rssMiB: memoryOf(empty.child.pid).rssMiB });
    }
    run.rps = run.seconds ? run.ok / run.seconds : 0;
    const memory = memoryOf(empty.child.pid);
    const signIns = completedSignIns.get(empty.issuer) ?? 0;
    const idle: NonNullable<MemoryResult['idle']> = [];
    for (let seconds = RSS_IDLE_STEP_SECONDS; seconds <= options.rssIdleSeconds; seconds += RSS_IDLE_STEP_SECONDS) {
      await sleep(RSS_IDLE_STEP_SECONDS * 1000);
      idle.push({ seconds, rssMiB: memoryOf(empty.child.pid).rssMiB });
    }
    if (idle.length) progress(`${driver}: RSS idle ${idle.map((reading) => `${reading.seconds} s ${reading.rssMiB.toFixed(0)} MiB`).join(', ')}`);
    const result: MemoryResult = {
      signIns,
      lastRunRate: run.rps,
      atStartMiB: atStart.rssMiB,
      rssMiB: memory.rssMiB,
      peakMiB: memory.peakMiB,
      limitMiB: RSS_LIMIT_MIB,
      met: memory.rssMiB <= RSS_LIMIT_MIB,
      samples,
      ...(idle.length ? { idle, metWhenIdle: idle.at(-1)!.rssMiB <= RSS_LIMIT_MIB } : {}),
    };
    if (run.failed) variant.errors.push(`RSS run: ${run.failed} sign-ins failed (${run.firstError ?? ''})`);
    variant.memory = result;
  });
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message ? `bench: ${error.message}\n\n` : ''}${USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
