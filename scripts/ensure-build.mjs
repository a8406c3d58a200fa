// `npm start` and `npm run admin` run this first: it builds only when dist/ is older than what it is
// built from, so a command does not pay for a whole compile (≈4 s) every time.
//
//   node scripts/ensure-build.mjs          build if stale (quietly when current)
//   node scripts/ensure-build.mjs --stamp  record that a build just finished (the build script's last step)
//
// "Older" compares modification times: the newest file or directory (a deletion changes its
// directory) under src/, the tsconfigs, package.json, package-lock.json and this script's own
// copier, against dist/.build-stamp. An installed package or image has no src/: nothing to build.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = join(root, 'dist', '.build-stamp');
const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json', 'scripts/copy-views.mjs'];

function newest(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  let time = stat.mtimeMs;
  if (stat.isDirectory()) {
    for (const entry of readdirSync(path)) time = Math.max(time, newest(join(path, entry)));
  }
  return time;
}

if (process.argv.includes('--stamp')) {
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  process.exit(0);
}

if (!existsSync(join(root, 'src'))) process.exit(0);
const built = statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const changed = Math.max(...inputs.map((input) => newest(join(root, input))));
if (built > changed) process.exit(0);

process.stderr.write('wecom-oidc: building (the sources changed since the last build)\n');
const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
process.exit(build.status ?? 1);
