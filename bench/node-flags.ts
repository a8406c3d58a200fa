/**
 * `node --import tsx bench/node-flags.ts --flags '--optimize-for-size' [--driver lowdb|postgres] [--ops token,sign-in] [--rounds N] [--seconds N]`
 *
 * Our server against itself under other Node flags: two of our servers from dist/ on the same
 * store kind (each its own store), one started plainly and one with `--flags`, measured with the
 * bench's own operations in alternating rounds. For weighing a GC or memory flag against what it
 * costs per operation, where run.ts weighs us against the bare provider.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alternate, OPERATIONS, type OperationKey } from './compare.js';
import { parseOptions } from './options.js';
import { dropSchemas, newSchemaName } from './postgres.js';
import { freePort, memoryOf, stopAllChildren } from './processes.js';
import { ourConfig, startOurs, startSimulator, storageDir, type Workspace } from './servers.js';

const args = new Map<string, string>();
for (let index = 2; index < process.argv.length; index += 2) args.set(process.argv[index]!.replace(/^--/, ''), process.argv[index + 1] ?? '');
const flags = (args.get('flags') ?? '').split(' ').filter(Boolean);
const driver = args.get('driver') ?? 'lowdb';
const keys = (args.get('ops') ?? 'token,refresh,userinfo,sign-in').split(',') as OperationKey[];
const options = parseOptions(['--rounds', args.get('rounds') ?? '3', '--seconds', args.get('seconds') ?? '4'], process.env);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wecom-oidc-flags-'));
  const [simulator, a, b, bare] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const space: Workspace = { dir, ports: { simulator, 'ours-a': a, 'ours-b': b, bare } };
  const storage = (name: string) =>
    driver === 'lowdb'
      ? { driver: 'lowdb', path: join(storageDir(space, name), 'db.json') }
      : { driver: 'postgres', url: options.postgresUrl, schema: newSchemaName(`postgres-${name}`) };
  await startSimulator(space);
  const plain = await startOurs(space, 'plain', 'ours-a', ourConfig(space, 'ours-a', storage('plain')));
  const flagged = await startOurs(space, 'flagged', 'ours-b', ourConfig(space, 'ours-b', storage('flagged')), undefined, flags);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  try {
    log(`driver ${driver}; plain vs ${flags.join(' ') || '(no flags)'}`);
    for (const key of keys) {
      const operation = OPERATIONS.find((candidate) => candidate.key === key)!;
      log(`${operation.label}:`);
      const [p, f] = await alternate(
        [
          { name: 'plain', issuer: plain.issuer, pid: plain.child.pid },
          { name: 'flagged', issuer: flagged.issuer, pid: flagged.child.pid },
        ],
        (issuer) => operation.prepare(issuer, options),
        options,
        log,
      );
      log(
        `  medians: plain ${p.rps.toFixed(1)}/s ${p.cpuMicros.toFixed(0)} µs/op; flagged ${f.rps.toFixed(1)}/s ${f.cpuMicros.toFixed(0)} µs/op; rate ${(f.rps / p.rps).toFixed(2)}×, CPU ${(f.cpuMicros / p.cpuMicros).toFixed(2)}×`,
      );
      log(`  RSS: plain ${memoryOf(plain.child.pid).rssMiB.toFixed(0)} MiB, flagged ${memoryOf(flagged.child.pid).rssMiB.toFixed(0)} MiB`);
    }
  } finally {
    await stopAllChildren();
    if (driver === 'postgres') await dropSchemas(options.postgresUrl);
  }
}

await main();
