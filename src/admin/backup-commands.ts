/**
 * `backup FILE` and `restore FILE [--force]`: the embedded store as one file, and back.
 *
 * Both run in the CLI process, never in the server: a backup reads the storage files (snapshot plus
 * journal, consistently, while the server keeps writing; see readLowdbFiles) and writes FILE where
 * the administrator is, which a hardened service could not; a restore needs the server stopped
 * (it owns the files and would overwrite them) and refuses while its admin socket answers.
 * PostgreSQL is backed up with its own tools: the command says how.
 */
import { existsSync } from 'node:fs';
import { readLowdbFiles } from '../storage/lowdb/database.js';
import { BackupFileError, readBackupFile, restoreLowdbFiles, writeBackupFile, type BackupSummary } from './backup-file.js';
import { done, failed, isParsedCommand, parseCommandArgs, usageError, type ParsedCommand } from './command.js';
import type { AdminResult, LocalAdminContext } from './context.js';
import type { Lang } from '../model/index.js';
import { messagesFor, type AdminMessages } from './messages.js';
import { adminSocketPath, storageFilePath, usesAdminSocket } from './protocol.js';
import { adminSocketAnswers } from './socket.js';

const HELP_ONLY = { help: { type: 'boolean', short: 'h' } } as const;
const RESTORE_OPTIONS = { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

export function parseBackup(args: readonly string[], lang: Lang): ParsedCommand {
  const parsed = parseCommandArgs(args, HELP_ONLY, ['FILE'], 'backup', lang);
  if (isParsedCommand(parsed)) return parsed;
  const [file] = parsed.positionals as [string];
  return { kind: 'local', run: (ctx) => backup(ctx, file) };
}

export function parseRestore(args: readonly string[], lang: Lang): ParsedCommand {
  const parsed = parseCommandArgs(args, RESTORE_OPTIONS, ['FILE'], 'backup', lang);
  if (isParsedCommand(parsed)) return parsed;
  const [file] = parsed.positionals as [string];
  return { kind: 'local', run: (ctx) => restore(ctx, file, parsed.values.force === true) };
}

async function backup(ctx: LocalAdminContext, file: string): Promise<AdminResult> {
  const { lang } = ctx;
  const m = messagesFor(lang);
  const storage = ctx.config.storage;
  if (!usesAdminSocket(storage)) return postgresAdvice(lang, storage.schema);
  if (!ctx.resolveFile) return failed(m.backupInServer);
  const source = storageFilePath(storage);
  if (!existsSync(source) && !existsSync(`${source}.journal`)) {
    return failed(m.backupNothing(source));
  }
  const target = ctx.resolveFile(file);
  const summary = await writeBackupFile(target, await readLowdbFiles(source));
  return done(m.backupDone(source, target, describe(summary, m)));
}

async function restore(ctx: LocalAdminContext, file: string, force: boolean): Promise<AdminResult> {
  const { lang } = ctx;
  const m = messagesFor(lang);
  const storage = ctx.config.storage;
  if (!usesAdminSocket(storage)) return postgresAdvice(lang, storage.schema);
  if (!ctx.resolveFile) return failed(m.restoreInServer);
  const target = storageFilePath(storage);
  if (await adminSocketAnswers(adminSocketPath(storage))) {
    return failed(m.restoreServerRunning(target));
  }
  let backupFile;
  try {
    backupFile = await readBackupFile(ctx.resolveFile(file));
  } catch (error) {
    if (error instanceof BackupFileError) return failed(`${file}: ${error.message}`);
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return failed(m.restoreUnreadable(file, code));
  }
  if (!force && (existsSync(target) || existsSync(`${target}.journal`))) {
    return usageError(m.restoreWouldReplace(target));
  }
  await restoreLowdbFiles(target, backupFile.data);
  return done(m.restoreDone(target, file, describe(backupFile.summary, m)));
}

function describe(summary: BackupSummary, m: AdminMessages): string {
  return m.backupSummary(summary.createdAt, summary.accounts, summary.bytes);
}

function postgresAdvice(lang: Lang, schema: string): AdminResult {
  const dump = `pg_dump --format=custom --schema=${schema} --file=wecom-oidc.dump "$DATABASE_URL"`;
  const restoreCommand = `pg_restore --clean --if-exists --schema=${schema} --dbname="$DATABASE_URL" wecom-oidc.dump`;
  return usageError(messagesFor(lang).backupWithPostgres(schema, dump, restoreCommand));
}
