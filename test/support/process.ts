/**
 * Runs `npm start`'s entry point (src/main.ts, through tsx) as a real child process with its own
 * configuration file, and reads its JSON log lines: for tests of signals (SIGTERM drain, SIGHUP
 * reload) that only a real process can receive.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from './cli.js';

export type LogLine = Record<string, unknown> & { msg: string };

export class ServerProcess {
  readonly lines: LogLine[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #waiters = new Set<() => void>();

  private constructor(
    readonly child: ChildProcess,
    readonly configPath: string,
    readonly dataDir: string,
  ) {
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (text) => {
        if (!text.startsWith('{')) return; // e.g. oidc-provider's Node 22 warning
        this.lines.push(JSON.parse(text) as LogLine);
        for (const wake of this.#waiters) wake();
      });
    }
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Writes `config` to a file in a fresh directory and starts the server on it. */
  static async start(config: (dataDir: string) => Record<string, unknown>): Promise<ServerProcess> {
    const dataDir = mkdtempSync(join(tmpdir(), 'wecom-oidc-process-'));
    const configPath = join(dataDir, 'config.json');
    writeFileSync(configPath, JSON.stringify(config(dataDir), null, 2));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', configPath], {
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: 'info', WECOM_OIDC_CONFIG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = new ServerProcess(child, configPath, dataDir);
    await started.waitFor((line) => line.msg === 'wecom-oidc listening', 60_000);
    return started;
  }

  get pid(): number {
    return this.child.pid!;
  }

  rewriteConfig(config: Record<string, unknown> | string): void {
    writeFileSync(this.configPath, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  }

  /** The first line (from `from` on) that satisfies `match`, waiting for it if need be. */
  waitFor(match: (line: LogLine) => boolean, timeoutMs = 15_000, from = 0): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.lines.slice(from).find(match);
        if (!found) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `no such log line within ${timeoutMs} ms; last lines:\n${this.lines
              .slice(-8)
              .map((line) => JSON.stringify(line))
              .join('\n')}`,
          ),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
      };
      const wake = () => void check();
      if (!check()) this.#waiters.add(wake);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** A raw HTTP/1.1 exchange on its own connection, sent in parts, for requests caught mid-flight. */
export class RawHttp {
  readonly #chunks: Buffer[] = [];
  readonly #ended: Promise<void>;
  private constructor(private readonly socket: ReturnType<typeof connect>) {
    socket.on('data', (chunk: Buffer) => this.#chunks.push(chunk));
    this.#ended = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static open(port: number): Promise<RawHttp> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawHttp(socket)));
      socket.once('error', reject);
    });
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** The whole answer, once the server has closed the connection. */
  async response(): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    await this.#ended;
    const text = Buffer.concat(this.#chunks).toString('utf8');
    const [head = '', body = ''] = text.split('\r\n\r\n', 2);
    const [statusLine = '', ...headerLines] = head.split('\r\n');
    const headers = Object.fromEntries(
      headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
    );
    return { status: Number(statusLine.split(' ')[1]), headers, body };
  }
}
