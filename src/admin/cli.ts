/**
 * `npm run admin -- <command>`: the process around runCli. See run-cli.ts for what it does and
 * help.ts (or `npm run admin -- --help`) for the commands.
 */
import { runCli } from './run-cli.js';

// `npm run` runs scripts in the package's directory; a FILE the administrator typed is relative to
// where they typed it, which npm passes as INIT_CWD. Only trusted when npm ran *this* script: an
// outer npm process (e.g. `npm test`) leaves its own INIT_CWD in the environment.
const inputDir = process.env.npm_lifecycle_event === 'admin' && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();

/** A one-line bar on an interactive terminal, redrawn in place; nothing when stderr is a file or a pipe. */
function progressBar(done: number, total: number): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${done >= total ? '\n' : ''}`);
}

runCli(process.argv.slice(2), process.env, { cwd: process.cwd(), inputDir, progress: progressBar }).then(
  ({ exitCode, stdout, stderr }) => {
    process.stdout.write(stdout);
    process.stderr.write(stderr);
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    // Not a stack trace for an administrator: the error's kind and message are enough to act on.
    process.stderr.write(`admin: ${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
