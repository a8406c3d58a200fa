/**
 * The admin socket's protocol: the CLI sends one JSON line, the server answers one JSON line.
 *
 *   → {"argv":["accounts","disable","ZhangSan"],"lang":"en"}
 *   ← {"exitCode":0,"stdout":"Disabled account …\n","stderr":""}
 *
 * `files` carries the content of input files the CLI read (keyed by the path as typed), so the
 * server never opens a path a client names. `storagePath` is the storage file the CLI means: the
 * socket sits in that file's directory, and a server using another file there must not answer.
 */
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import type { Config } from '../config/schema.js';
import { LANGS } from '../model/index.js';
import { storageSharing } from '../storage/index.js';

export const ADMIN_SOCKET_NAME = 'admin.sock';

/** Requests carry whole import files; beyond this the server stops reading and refuses. */
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

/**
 * Unix socket paths are limited (sun_path: 108 bytes on Linux, 104 on macOS, NUL included) and
 * longer ones are silently truncated, so a longer path is refused rather than bound wrongly.
 */
export const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

/**
 * The storage configuration of a single-process driver (see `storageSharing`): today only lowdb's,
 * whose file path locates the socket.
 */
export type SingleProcessStorage = Extract<Config['storage'], { driver: 'lowdb' }>;

/**
 * Only a single-process store needs the socket: it belongs to one process, so commands must run in
 * the server that holds it. A shared store is shared by design: the CLI opens it directly, and
 * servers see the change (revoked sessions at once, rotated keys within their next key check).
 */
export function usesAdminSocket(storage: Config['storage']): storage is SingleProcessStorage {
  return storageSharing(storage) === 'single-process';
}

/** `<directory of storage.path>/admin.sock`, absolute (relative storage paths are relative to the cwd, as in openStorage). */
export function adminSocketPath(storage: SingleProcessStorage): string {
  return resolve(dirname(storage.path), ADMIN_SOCKET_NAME);
}

export function storageFilePath(storage: SingleProcessStorage): string {
  return resolve(storage.path);
}

export const adminRequestSchema = z
  .object({
    argv: z.array(z.string()).max(64),
    lang: z.enum(LANGS),
    storagePath: z.string().optional(),
    files: z.record(z.string(), z.string()).optional(),
  })
  .strict();

export type AdminRequest = z.infer<typeof adminRequestSchema>;

export const adminResponseSchema = z.object({
  exitCode: z.number().int(),
  stdout: z.string(),
  stderr: z.string(),
});
