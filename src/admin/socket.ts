/**
 * The admin socket: how `npm run admin` changes accounts while the server runs.
 *
 * lowdb is single-process: a CLI writing the JSON file next to a running server would lose the
 * server's writes (or the server would overwrite the CLI's), and the server would never see a
 * disable. So the server listens on a Unix socket next to its storage file and carries the commands
 * out itself, with its own storage and AccountService. The socket is mode 0600 in a directory the
 * storage keeps private (0700): only the user the server runs as can send commands.
 *
 * Commands run one at a time, in arrival order: an import's check-then-create must not interleave
 * with another import's.
 */
import { lstat, chmod, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { AccountService } from '../accounts/service.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../observability/log.js';
import type { Storage } from '../model/index.js';
import { EXIT, type AdminContext, type AdminResult } from './context.js';
import { runAdminCommand } from './dispatch.js';
import { messagesFor } from './messages.js';
import {
  MAX_REQUEST_BYTES,
  MAX_SOCKET_PATH_BYTES,
  adminRequestSchema,
  adminResponseSchema,
  adminSocketPath,
  usesAdminSocket,
  storageFilePath,
  type AdminRequest,
} from './protocol.js';

export class AdminSocketError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminSocketError';
  }
}

export interface AdminSocketOptions {
  config: Config;
  storage: Storage;
  accounts: AccountService;
  /** Called after a command changed the signing keys, so the server starts using them at once. */
  onKeysChanged?: () => Promise<unknown>;
  /** `accounts sync`: the server's own sweep, so it shares the lease and pacing with the scheduled one. */
  reconcile?: AdminContext['reconcile'];
  log: Logger;
}

export interface AdminSocket {
  readonly path: string;
  /** Stops accepting commands, waits for the one running, removes the socket file. */
  close(): Promise<void>;
}

export async function startAdminSocket(options: AdminSocketOptions): Promise<AdminSocket> {
  const storageConfig = options.config.storage;
  if (!usesAdminSocket(storageConfig)) throw new AdminSocketError('only a single-process store (lowdb) takes admin commands over a socket');
  const path = adminSocketPath(storageConfig);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new AdminSocketError(
      `the admin socket path ${path} is longer than ${MAX_SOCKET_PATH_BYTES} bytes, which Unix sockets cannot use; ` +
        'move "storage.path" to a shorter directory',
    );
  }
  await removeStaleSocket(path);

  const ownStorage = storageFilePath(storageConfig);
  const connections = new Set<Socket>();
  let queue: Promise<unknown> = Promise.resolve();
  const execute = (request: AdminRequest): Promise<AdminResult> => {
    const result = queue.then(() => runRequest(request, ownStorage, path, options));
    queue = result.catch(() => undefined);
    return result;
  };

  const server = createServer((socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    serveConnection(socket, execute, options.log);
  });
  await listen(server, path);
  await chmod(path, 0o600).catch(async (error: unknown) => {
    await new Promise((resolve) => server.close(resolve));
    throw error;
  });
  options.log.info('admin socket listening', { path });

  return {
    path,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await queue;
      for (const socket of connections) socket.destroy();
      await closed;
      await unlink(path).catch(() => undefined);
    },
  };
}

async function runRequest(request: AdminRequest, ownStorage: string, socketPath: string, options: AdminSocketOptions): Promise<AdminResult> {
  if (request.storagePath !== undefined && request.storagePath !== ownStorage) {
    const mismatch = messagesFor(request.lang).serverMismatch(socketPath, ownStorage, request.storagePath);
    return { exitCode: EXIT.usage, stdout: '', stderr: `${mismatch}\n` };
  }
  const files = request.files ?? {};
  const result = await runAdminCommand(request.argv, {
    config: options.config,
    storage: options.storage,
    accounts: options.accounts,
    onKeysChanged: options.onKeysChanged,
    reconcile: options.reconcile,
    log: options.log,
    lang: request.lang,
    // Only content the client sent: the server never opens a path a client names.
    readInput: async (path) => {
      if (Object.hasOwn(files, path)) return files[path]!;
      throw Object.assign(new Error('input not sent with the request'), { code: 'ENOENT' });
    },
  });
  options.log.info('admin command', { command: request.argv.slice(0, 2).join(' '), exitCode: result.exitCode });
  return result;
}

function serveConnection(socket: Socket, execute: (request: AdminRequest) => Promise<AdminResult>, log: Logger): void {
  const answer = (result: AdminResult) => socket.end(`${JSON.stringify(result)}\n`);
  const refuse = (reason: string) => answer({ exitCode: EXIT.usage, stdout: '', stderr: `admin socket: ${reason}\n` });
  socket.on('error', () => undefined);
  readLine(socket, MAX_REQUEST_BYTES)
    .then(async (line) => {
      if (line === undefined) return refuse(`request larger than ${MAX_REQUEST_BYTES} bytes or incomplete`);
      let request;
      try {
        request = adminRequestSchema.safeParse(JSON.parse(line));
      } catch {
        return refuse('the request is not JSON');
      }
      if (!request.success) return refuse('the request is not an admin command');
      answer(await execute(request.data));
    })
    .catch((error: Error) => {
      log.error('admin command failed', { error: error.name, message: error.message });
      refuse(`the command failed unexpectedly (${error.name}); see the server log`);
    });
}

/** The first line (without its newline); undefined when the peer ended first or sent too much. */
function readLine(socket: Socket, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (value: string | undefined) => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      const newline = chunk.indexOf(0x0a);
      if (newline !== -1) {
        chunks.push(chunk.subarray(0, newline));
        return finish(Buffer.concat(chunks).toString('utf8'));
      }
      chunks.push(chunk);
      size += chunk.length;
      if (size > maxBytes) finish(undefined);
    };
    const onEnd = () => finish(undefined);
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
  });
}

/**
 * A socket file left by a server that did not shut down cleanly refuses connections: remove it. One
 * that answers belongs to a running server using this directory's storage: two processes on one
 * lowdb file lose each other's writes, so refuse to start.
 */
async function removeStaleSocket(path: string): Promise<void> {
  const stat = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!stat) return;
  if (!stat.isSocket()) throw new AdminSocketError(`${path} exists and is not a socket; remove it or move "storage.path"`);
  if (await adminSocketAnswers(path)) {
    throw new AdminSocketError(
      `another wecom-oidc server is running with the storage in ${dirname(path)} ` +
        '(its admin socket answers); one storage file serves one process',
    );
  }
  await unlink(path).catch(() => undefined);
}

/** Whether a server accepts connections on the admin socket at `path` (that is, one is running). */
export function adminSocketAnswers(path: string): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export type ServerAnswer = { status: 'answered'; result: AdminResult } | { status: 'no_server' };

/**
 * Sends one command to the running server. `no_server` when nothing listens (no socket file, or a
 * stale one): the caller may then open the storage itself.
 */
export function sendToServer(path: string, request: AdminRequest): Promise<ServerAnswer> {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) return Promise.resolve({ status: 'no_server' });
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let connected = false;
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (!connected && (error.code === 'ENOENT' || error.code === 'ECONNREFUSED')) resolve({ status: 'no_server' });
      else reject(error);
    });
    socket.once('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify(request)}\n`);
      readLine(socket, MAX_REQUEST_BYTES).then((line) => {
        socket.destroy();
        const parsed = line === undefined ? undefined : safeJson(line);
        const result = adminResponseSchema.safeParse(parsed);
        if (result.success) resolve({ status: 'answered', result: result.data });
        else reject(new AdminSocketError('bad answer'));
      }, reject);
    });
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
