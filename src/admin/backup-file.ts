/**
 * The backup file of the embedded store: one JSON document holding the whole database (the
 * snapshot with its journal applied), so a backup is one file to copy and restore.
 *
 *   {"format":"wecom-oidc-backup","version":1,"createdAt":"…","driver":"lowdb","data":{…}}
 *
 * It holds the private signing keys and every live token: written 0600, like the store itself.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import type { DatabaseShape } from '../storage/lowdb/database.js';

export const BACKUP_FORMAT = 'wecom-oidc-backup';

const record = z.record(z.string(), z.unknown());
const backupSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(1),
  createdAt: z.string(),
  driver: z.literal('lowdb'),
  data: z
    .object({
      version: z.literal(1),
      models: z.record(z.string(), record),
      loginStates: record,
      accounts: record,
      identities: z.record(z.string(), z.string()),
      keys: record,
    })
    .passthrough(),
});

export class BackupFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupFileError';
  }
}

export interface BackupSummary {
  createdAt: string;
  accounts: number;
  keys: number;
  bytes: number;
}

/** Writes `data` to `path` through a temporary file in the same directory, synced, then renamed. */
export async function writeBackupFile(path: string, data: DatabaseShape, now = new Date()): Promise<BackupSummary> {
  const createdAt = now.toISOString();
  const text = `${JSON.stringify({ format: BACKUP_FORMAT, version: 1, createdAt, driver: 'lowdb', data })}\n`;
  await writeFileAtomically(path, text);
  return { createdAt, accounts: Object.keys(data.accounts).length, keys: Object.keys(data.keys).length, bytes: Buffer.byteLength(text) };
}

export async function readBackupFile(path: string): Promise<{ data: DatabaseShape; summary: BackupSummary }> {
  const text = await readFile(path, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BackupFileError('not a wecom-oidc backup (not JSON)');
  }
  const result = backupSchema.safeParse(parsed);
  if (!result.success) throw new BackupFileError('not a wecom-oidc backup of the embedded store (unexpected content)');
  const data = result.data.data as unknown as DatabaseShape;
  return {
    data,
    summary: {
      createdAt: result.data.createdAt,
      accounts: Object.keys(data.accounts).length,
      keys: Object.keys(data.keys).length,
      bytes: Buffer.byteLength(text),
    },
  };
}

/**
 * Makes `storagePath` hold exactly `data`: the journal goes first (replayed onto the restored
 * snapshot it would bring back changes of the old database), then the new snapshot is renamed in.
 */
export async function restoreLowdbFiles(storagePath: string, data: DatabaseShape): Promise<void> {
  await mkdir(dirname(storagePath), { recursive: true, mode: 0o700 });
  const temporary = await writeTemporary(storagePath, JSON.stringify(data));
  try {
    await unlink(`${storagePath}.journal`).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await rename(temporary, storagePath);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temporary = await writeTemporary(path, text);
  await rename(temporary, path).catch(async (error: unknown) => {
    await unlink(temporary).catch(() => undefined);
    throw error;
  });
}

async function writeTemporary(path: string, text: string): Promise<string> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return temporary;
}
