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
import { adminSocketPath, storageFilePath, usesAdminSocket } from './protocol.js';
import { adminSocketAnswers } from './socket.js';

const HELP_ONLY = { help: { type: 'boolean', short: 'h' } } as const;
const RESTORE_OPTIONS = { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

const say = (lang: Lang, en: string, zh: string) => (lang === 'zh-CN' ? zh : en);

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
  const storage = ctx.config.storage;
  if (!usesAdminSocket(storage)) return postgresAdvice(lang, storage.schema);
  if (!ctx.resolveFile) return failed(say(lang, 'backup runs in the admin CLI, not in the server.', 'backup 只能在管理命令行中运行。'));
  const source = storageFilePath(storage);
  if (!existsSync(source) && !existsSync(`${source}.journal`)) {
    return failed(say(lang, `There is no storage at ${source} to back up.`, `${source} 处没有可备份的存储。`));
  }
  const target = ctx.resolveFile(file);
  const summary = await writeBackupFile(target, await readLowdbFiles(source));
  return done(
    say(
      lang,
      `Backed up ${source} (with its journal) to ${target}: ${describe(summary, lang)}.\n` +
        'The file holds the private signing keys and live tokens (mode 0600): keep it as safe as the store.',
      `已将 ${source}（含日志）备份到 ${target}：${describe(summary, lang)}。\n该文件包含私有签名密钥和有效令牌（权限 0600），请像存储文件一样妥善保管。`,
    ),
  );
}

async function restore(ctx: LocalAdminContext, file: string, force: boolean): Promise<AdminResult> {
  const { lang } = ctx;
  const storage = ctx.config.storage;
  if (!usesAdminSocket(storage)) return postgresAdvice(lang, storage.schema);
  if (!ctx.resolveFile) return failed(say(lang, 'restore runs in the admin CLI, not in the server.', 'restore 只能在管理命令行中运行。'));
  const target = storageFilePath(storage);
  if (await adminSocketAnswers(adminSocketPath(storage))) {
    return failed(
      say(
        lang,
        `A wecom-oidc server is running with ${target} (its admin socket answers). Stop it, restore, then start it again.`,
        `有 wecom-oidc 服务正在使用 ${target}（其管理套接字有响应）。请先停止服务，恢复后再启动。`,
      ),
    );
  }
  let backupFile;
  try {
    backupFile = await readBackupFile(ctx.resolveFile(file));
  } catch (error) {
    if (error instanceof BackupFileError) return failed(`${file}: ${error.message}`);
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return failed(say(lang, `Cannot read ${file} (${code}).`, `无法读取 ${file}（${code}）。`));
  }
  if (!force && (existsSync(target) || existsSync(`${target}.journal`))) {
    return usageError(
      say(
        lang,
        `${target} already exists. Restoring replaces everything in it (accounts, sessions, keys); add --force to do so.`,
        `${target} 已存在。恢复会替换其中的全部内容（账号、会话、密钥）；确认请加 --force。`,
      ),
    );
  }
  await restoreLowdbFiles(target, backupFile.data);
  return done(
    say(
      lang,
      `Restored ${target} from ${file} (${describe(backupFile.summary, lang)}). Start the server to use it.`,
      `已从 ${file} 恢复 ${target}（${describe(backupFile.summary, lang)}）。启动服务即可使用。`,
    ),
  );
}

function describe(summary: BackupSummary, lang: Lang): string {
  return say(
    lang,
    `taken ${summary.createdAt}, ${summary.accounts} account(s), ${summary.bytes} bytes`,
    `备份于 ${summary.createdAt}，${summary.accounts} 个账号，${summary.bytes} 字节`,
  );
}

function postgresAdvice(lang: Lang, schema: string): AdminResult {
  const dump = `pg_dump --format=custom --schema=${schema} --file=wecom-oidc.dump "$DATABASE_URL"`;
  const restoreCommand = `pg_restore --clean --if-exists --schema=${schema} --dbname="$DATABASE_URL" wecom-oidc.dump`;
  return usageError(
    say(
      lang,
      `With PostgreSQL the database is the backup's source: use its tools, for the schema "${schema}":\n  ${dump}\n  ${restoreCommand}\n` +
        'pg_dump takes a consistent snapshot while the replicas run.',
      `使用 PostgreSQL 时请用数据库自己的工具备份 schema "${schema}"：\n  ${dump}\n  ${restoreCommand}\npg_dump 在副本运行时也能得到一致的快照。`,
    ),
  );
}

