/**
 * The processes under test: each server runs in a child process of its own (never in the load
 * generator's), its output goes to a log file, and every child is killed when the bench ends, by
 * error or Ctrl-C included. Also: free loopback ports, and a child's RSS read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { send } from './http.js';

export interface StartOptions {
  name: string;
  /** What to run: Node (this one) unless given, e.g. `taskset` to pin the process to a core. */
  command?: string;
  args: string[];
  env?: Record<string, string>;
  logFile: string;
  /** Polled until it answers (any status below 500). */
  readyUrl: string;
  readyTimeoutMs?: number;
}

export interface Child {
  name: string;
  pid: number;
  logFile: string;
  process: ChildProcess;
}

const children = new Set<Child>();
/** Set on Ctrl-C: whatever the measurements were doing, no new process may start. */
let stopping = false;

/** Kills every child at once: for process exit, where nothing asynchronous runs any more. */
function killAll(): void {
  for (const child of children) child.process.kill('SIGKILL');
  children.clear();
}

let installed = false;
/** Makes sure no child outlives the bench, however it ends. */
export function installExitHandlers(cleanup: () => Promise<void>): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      stopping = true;
      process.stderr.write(`\nbench: ${signal}, stopping the servers\n`);
      const force = setTimeout(() => process.exit(130), 5_000);
      force.unref();
      void cleanup().finally(() => process.exit(130));
    });
  }
}

export async function startChild(options: StartOptions): Promise<Child> {
  if (stopping) throw new Error(`not starting ${options.name}: the bench is stopping`);
  const log = openSync(options.logFile, 'a');
  const proc = spawn(options.command ?? process.execPath, options.args, {
    cwd: process.cwd(),
    env: { ...process.env, ...options.env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  if (proc.pid === undefined) throw new Error(`could not start ${options.name}`);
  const child: Child = { name: options.name, pid: proc.pid, logFile: options.logFile, process: proc };
  children.add(child);
  let exited: string | undefined;
  proc.once('exit', (code, signal) => {
    exited = `exited (${signal ?? code})`;
    children.delete(child);
  });

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${options.name} ${exited} before it was ready; see ${options.logFile}:\n${tail(options.logFile)}`);
    const answer = await send(options.readyUrl).catch(() => undefined);
    if (answer && answer.status < 500) return child;
    await sleep(100);
  }
  await stopChild(child);
  throw new Error(`${options.name} was not ready within ${options.readyTimeoutMs ?? 60_000} ms; see ${options.logFile}`);
}

/** SIGTERM (our server flushes its storage on it), then SIGKILL if it has not gone in time. */
export async function stopChild(child: Child, graceMs = 15_000): Promise<void> {
  if (!children.has(child)) return;
  const gone = new Promise<void>((resolve) => child.process.once('exit', () => resolve()));
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

export async function stopAllChildren(): Promise<void> {
  await Promise.all([...children].map((child) => stopChild(child, 5_000)));
}

/** Resident set size and its peak, in MiB, from /proc/<pid>/status. */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}

/** CPU time (user + system) a process has used so far, in seconds, from /proc/<pid>/stat. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; Linux counts 100 ticks a second.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

const CLOCK_TICKS = 100;

/**
 * CPU seconds used so far by every process named `name` (e.g. `postgres`: the postmaster and a
 * backend per connection). A process that ends between two readings takes its time with it, so
 * read around a stretch in which the connections stay open (pooled).
 */
export function cpuSecondsOfAll(name: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) total += cpuSecondsOf(Number(entry));
    } catch {
      // gone since the directory was listed
    }
  }
  return total;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}
