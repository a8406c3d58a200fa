/**
 * `node --import tsx bench/profile.ts --op token|refresh|userinfo|sign-in [--driver postgres|lowdb|bare] [--count N] [--profiler off]`
 *
 * Runs one server under `--cpu-prof` as the bench runs it (ours from dist/, or with `--driver bare`
 * the bare oidc-provider; the WeCom simulator in a process of its own), drives one operation at it
 * N times (16 at a time), stops it, and prints where its CPU time went: self time grouped by where
 * the code lives (our src, oidc-provider, pg, koa, node internals, GC), then the top functions.
 * Only the samples taken while the operation ran are summarized (setup, such as minting the codes
 * a token run redeems, is left out), with the server's CPU per operation over that stretch.
 * On PostgreSQL it also prints the CPU that PostgreSQL's processes used per operation over that
 * stretch. Shares, not timings, are what to compare on a busy machine. The .cpuprofile is kept for
 * Chrome DevTools (path printed at the end, with the stretch in the profile's clock).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authorize, codeGrantBody, fullSignIn, offlineSignIn, refreshGrantBody, tokenRequest, userinfo } from './flows.js';
import { dropSchemas, newSchemaName } from './postgres.js';
import { cpuSecondsOf, cpuSecondsOfAll, freePort, stopAllChildren, stopChild, type Child } from './processes.js';
import { origin, ourConfig, startBare, startOurs, startSimulator, storageDir, type Workspace } from './servers.js';

const args = new Map<string, string>();
for (let index = 2; index < process.argv.length; index += 2) args.set(process.argv[index]!.replace(/^--/, ''), process.argv[index + 1] ?? '');
const op = args.get('op') ?? 'token';
const driver = args.get('driver') ?? 'postgres';
const count = Number(args.get('count') ?? (op === 'sign-in' ? 300 : 2000));
/** `--profiler off`: only the CPU figures, without the profiler's own cost in them. */
const profilerOn = args.get('profiler') !== 'off';
const url = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The profile's clock (V8's, CLOCK_MONOTONIC in µs), which process.hrtime reads too. */
const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

async function inParallel(total: number, width: number, task: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < total) await task(next++);
    }),
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wecom-oidc-profile-'));
  const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const space: Workspace = { dir, ports: { simulator: ports[0], 'ours-a': ports[1], 'ours-b': ports[2], bare: ports[3] } };
  const profileDir = join(dir, 'profile');
  const profiling = profilerOn ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  await startSimulator(space);
  let child: Child;
  let issuer: string;
  if (driver === 'bare') {
    child = await startBare(space, profiling);
    issuer = origin(space.ports.bare);
  } else {
    const storage =
      driver === 'lowdb'
        ? { driver: 'lowdb', path: join(storageDir(space, 'ours'), 'db.json') }
        : { driver: 'postgres', url, schema: newSchemaName('postgres-main') };
    const ours = await startOurs(space, 'ours', 'ours-a', ourConfig(space, 'ours-a', storage), undefined, profiling);
    child = ours.child;
    issuer = ours.issuer;
  }
  let window: { from: number; to: number; cpuSeconds: number };
  try {
    const { browser, tokens } = await offlineSignIn(issuer);
    // Codes are minted before the measured stretch (a token run measures redeeming them only).
    const codes: string[] = [];
    if (op === 'token') await inParallel(count, 8, async () => codes.push(codeGrantBody(await authorize(browser, issuer))));
    const cpuBefore = cpuSecondsOf(child.pid);
    const databaseBefore = cpuSecondsOfAll('postgres');
    const from = nowMicros();
    if (op === 'token') {
      await inParallel(codes.length, 16, async (index) => tokenRequest(issuer, codes[index]!));
    } else if (op === 'refresh') {
      await inParallel(count, 16, () => tokenRequest(issuer, refreshGrantBody(tokens.refresh_token!)));
    } else if (op === 'userinfo') {
      await inParallel(count, 16, () => userinfo(issuer, tokens.access_token));
    } else {
      await inParallel(count, 16, () => fullSignIn(issuer));
    }
    window = { from, to: nowMicros(), cpuSeconds: cpuSecondsOf(child.pid) - cpuBefore };
    // PostgreSQL's own processes (every backend on the machine: run it on a quiet machine).
    const databaseMicros = ((cpuSecondsOfAll('postgres') - databaseBefore) / count) * 1e6;
    process.stderr.write(
      `${op} x${count} on ${driver}: ${((window.to - from) / 1e6).toFixed(1)} s, server CPU ${((window.cpuSeconds / count) * 1e6).toFixed(0)} µs/op (profiler ${profilerOn ? 'on' : 'off'})` +
        `${driver === 'postgres' ? `, PostgreSQL's processes ${databaseMicros.toFixed(0)} µs/op` : ''}\n`,
    );
  } finally {
    await stopChild(child);
    await stopAllChildren();
    if (driver === 'postgres') await dropSchemas(url);
  }
  // CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile: thread 0 is the main thread (tsx's loader runs in another).
  if (!profilerOn) return;
  const file = readdirSync(profileDir).find((name) => /\.0\.\d+\.cpuprofile$/.test(name));
  if (!file) throw new Error(`no profile written in ${profileDir}`);
  summarize(JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile, window);
  process.stdout.write(`profile: ${join(profileDir, file)} (measured from ${window.from} to ${window.to} µs)\n`);
}

function category(frame: ProfileNode['callFrame']): string {
  const { url: where, functionName } = frame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)' || functionName === '(program)') return functionName;
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where);
  if (module) return module[1]!;
  if (where.includes('/dist/')) return `ours: ${where.slice(where.indexOf('/dist/') + 6).split('/')[0]}`;
  if (where.startsWith('node:')) return `node: ${where.slice(5).split('/')[0]}`;
  return where ? 'other' : '(native)';
}

function summarize(profile: CpuProfile, window: { from: number; to: number }): void {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (at >= window.from && at <= window.to) self.set(id, (self.get(id) ?? 0) + delta);
  });
  const total = [...self].filter(([id]) => !['(idle)'].includes(byId.get(id)!.callFrame.functionName)).reduce((sum, [, t]) => sum + t, 0);
  const groups = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, time] of self) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    const group = category(frame);
    groups.set(group, (groups.get(group) ?? 0) + time);
    const name = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/.*node_modules\//, '').replace(/.*\/dist\//, 'dist/')}:${frame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + time);
  }
  const pct = (time: number) => `${((time / total) * 100).toFixed(1).padStart(5)} %`;
  process.stdout.write(`busy CPU ${(total / 1000).toFixed(0)} ms; self time by where the code lives:\n`);
  for (const [group, time] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, 18)) process.stdout.write(`  ${pct(time)}  ${group}\n`);
  process.stdout.write('top functions (self):\n');
  for (const [name, time] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, 25)) process.stdout.write(`  ${pct(time)}  ${name}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`profile failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
