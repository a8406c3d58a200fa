/**
 * A real forward proxy in its own process: the `proxy` package's CLI (TooTallNate's, as used by the
 * proxy agents' own tests), with its debug log on, so a test can see every CONNECT it tunnelled.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './server.js';
import { REPO_ROOT } from './cli.js';

export interface ProxyProcess {
  url: string;
  /** The targets of the CONNECT requests seen so far (`host:port`). */
  connects(): string[];
  stop(): Promise<void>;
}

export async function startProxyProcess(): Promise<ProxyProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(REPO_ROOT, 'node_modules', 'proxy', 'dist', 'bin', 'proxy.js'), '--port', String(port)], {
    env: { ...process.env, DEBUG: 'proxy*', DEBUG_COLORS: 'no' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 15_000;
  while (!output.includes('listening on port')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the proxy did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    connects: () => [...output.matchAll(/CONNECT (\S+) HTTP\/1\.1/g)].map((match) => match[1]!),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
