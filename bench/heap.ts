/**
 * `node --import tsx bench/heap.ts [--driver lowdb|postgres] [--sign-ins N] [--idle 10,30] [--node-flags '--max-semi-space-size=4']`
 *
 * What holds our server's memory after many sign-ins: runs the built server (simulator on), signs
 * in N times (16 at a time), prints its RSS along the way, then has it write a heap snapshot
 * (SIGUSR2, --heapsnapshot-signal) and prints the snapshot's biggest kinds of object by their own
 * size. The .heapsnapshot is kept for Chrome DevTools (path printed at the end).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIENT, CONNECTION, CORP_ID } from './fixtures.js';
import { send } from './http.js';
import { signInLoad } from './load.js';
import { dropSchemas, newSchemaName } from './postgres.js';
import { freePort, memoryOf, sleep, startChild, stopChild } from './processes.js';
import { UNREFUSING_RATE_LIMITS } from './servers.js';
import { sampleValue, scrape } from '../test/support/metrics.js';

const args = new Map<string, string>();
for (let index = 2; index < process.argv.length; index += 2) args.set(process.argv[index]!.replace(/^--/, ''), process.argv[index + 1] ?? '');
const driver = args.get('driver') ?? 'lowdb';
const signIns = Number(args.get('sign-ins') ?? 2000);
/** Seconds after the load at which RSS is read again. */
const idleReadings = (args.get('idle') ?? '10,30').split(',').map(Number);
const url = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wecom-oidc-heap-'));
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const storage =
    driver === 'lowdb' ? { driver: 'lowdb', path: join(dir, 'db.json') } : { driver: 'postgres', url, schema: newSchemaName('postgres-main') };
  const configFile = join(dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      issuer,
      listen: { host: '127.0.0.1', port },
      storage,
      clients: [CLIENT],
      connections: [{ identifier: CONNECTION, displayName: '企业微信', corpId: CORP_ID, agentId: '1000002', secret: 'bench-secret' }],
      simulator: { enabled: true },
      rateLimits: UNREFUSING_RATE_LIMITS,
    }),
  );
  const child = await startChild({
    name: 'our server (heap)',
    args: [
      ...(args.get('node-flags') ?? '').split(' ').filter(Boolean),
      '--heapsnapshot-signal=SIGUSR2',
      `--diagnostic-dir=${dir}`,
      'dist/main.js',
      '--config',
      configFile,
    ],
    logFile: join(dir, 'server.log'),
    readyUrl: `${issuer}/.well-known/openid-configuration`,
  });
  try {
    process.stdout.write(`RSS at start ${memoryOf(child.pid).rssMiB.toFixed(0)} MiB\n`);
    for (let done = 0; done < signIns; done += 1000) {
      const run = await signInLoad({ issuer, users: 16, total: Math.min(1000, signIns - done) });
      process.stdout.write(`after ${done + run.ok} sign-ins (${run.failed} failed): RSS ${memoryOf(child.pid).rssMiB.toFixed(0)} MiB\n`);
    }
    // Whether V8 hands back the heap it grew under load once the process is idle.
    let idle = 0;
    for (const until of idleReadings) {
      await sleep((until - idle) * 1000);
      idle = until;
      process.stdout.write(`idle ${idle} s: RSS ${memoryOf(child.pid).rssMiB.toFixed(0)} MiB\n`);
    }
    process.stdout.write(`${await v8Heap(issuer)}\n`);
    process.stdout.write(`${mappings(child.pid)}\n`);
    child.process.kill('SIGUSR2');
    // The snapshot is written on the server's main thread: once it answers again, the file is whole.
    let file: string | undefined;
    for (let waited = 0; waited < 300 && !file; waited += 1) {
      await sleep(500);
      file = readdirSync(dir).find((name) => name.endsWith('.heapsnapshot'));
    }
    for (let tries = 0; tries < 60; tries += 1) {
      // A kept-alive socket the server closed meanwhile fails once: try again.
      if (
        await send(`${issuer}/.well-known/openid-configuration`).then(
          () => true,
          () => false,
        )
      )
        break;
      await sleep(500);
    }
    if (!file) throw new Error('no heap snapshot written');
    process.stdout.write(`heap snapshot: ${join(dir, file)}\n`);
  } finally {
    await stopChild(child);
    if (driver === 'postgres') await dropSchemas(url);
  }
}

/** V8's own account, from the server's Prometheus metrics: the heap it holds against what is in use, and memory outside it. */
async function v8Heap(issuer: string): Promise<string> {
  const families = await scrape(`${issuer}/metrics`);
  const mib = (name: string, labels: Record<string, string> = {}) => `${(sampleValue(families, name, labels) / 1024 / 1024).toFixed(1)} MiB`;
  const spaces = ['new', 'old', 'code', 'map', 'large_object', 'code_large_object', 'new_large_object']
    .map(
      (space) =>
        `  ${space}: ${mib('nodejs_heap_space_size_total_bytes', { space })} held, ${mib('nodejs_heap_space_size_used_bytes', { space })} used`,
    )
    .join('\n');
  return (
    `V8 heap: ${mib('nodejs_heap_size_total_bytes')} held, ${mib('nodejs_heap_size_used_bytes')} used; ` +
    `outside the heap: ${mib('nodejs_external_memory_bytes')}\n${spaces}`
  );
}

/** RSS by kind of mapping: malloc's heap and arenas, V8's pages (anonymous), code and files. */
function mappings(pid: number): string {
  const kinds = new Map<string, number>();
  let kind = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const path = head[1] ?? '';
      kind =
        path === ''
          ? 'anonymous (V8 heap pages, malloc arenas)'
          : path.startsWith('[')
            ? path
            : path.includes('.so')
              ? 'shared libraries'
              : path.endsWith('node')
                ? 'node binary'
                : 'files';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) kinds.set(kind, (kinds.get(kind) ?? 0) + Number(rss[1]));
  }
  return [...kinds]
    .sort((a, b) => b[1] - a[1])
    .map(([name, kib]) => `  ${(kib / 1024).toFixed(1).padStart(7)} MiB  ${name}`)
    .join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`heap failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
