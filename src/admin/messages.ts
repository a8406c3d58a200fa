/**
 * Every sentence the admin CLI prints, in English and Chinese. The Chinese table is typed as the
 * English one, so a message added to one language and forgotten in the other does not compile.
 * No message takes a secret: the only values passed in are ids, usernames, counts and paths.
 */
import { IMPORT_COLUMNS, type ImportRefusal } from '../accounts/import.js';
import type { ImportFileProblem } from './import-file.js';
import type { Lang } from '../model/index.js';

const en = {
  unknownCommand: (words: string, helpCommand: string) => `Unknown command "${words}". Run \`${helpCommand}\` for the list of commands.`,
  badUsage: (problem: string, helpCommand: string) => `${problem}\nRun \`${helpCommand}\` for how to use it.`,
  missingArgument: (what: string) => `Missing ${what}.`,
  tooManyArguments: (extra: string) => `Unexpected argument "${extra}".`,
  badLang: (value: string) => `Unknown language "${value}": use --lang en or --lang zh-CN.`,
  internalNoStorage: 'This command needs the storage, which was not opened (a bug in the admin CLI).',

  accountNotFound: (ref: string) => `No account has the id or username "${ref}".`,
  accountAmbiguous: (ref: string, ids: string[]) => `Several accounts have the username "${ref}": ${ids.join(', ')}. Name the account by its id.`,
  accountDisabled: (who: string, revoked: number, notified: number) =>
    `Disabled account ${who}. Revoked ${revoked} session(s), grant(s) and token(s): its refresh tokens no longer work, and it cannot sign in until enabled. Back-channel logout sent to ${notified} client session(s).`,
  syncSummary: (
    connection: string,
    c: { checked: number; active: number; disabled: number; retired: number; renamed: number; errors: number },
    resumed: boolean,
  ) =>
    `${connection}: checked ${c.checked}, active ${c.active}, disabled ${c.disabled}, retired ${c.retired}, renamed ${c.renamed}, errors ${c.errors}${resumed ? ' (resumed an unfinished sweep)' : ''}`,
  syncBusy: (connection: string) => `${connection}: another replica is sweeping this connection now; try again later.`,
  syncStopped: (connection: string) => `${connection}: the sweep was stopped; the next one resumes where it left off.`,
  syncUnavailable: 'Re-checking members needs WeCom access, which this admin context does not have (a bug in the admin CLI).',
  noSuchConnection: (identifier: string) => `No connection has the identifier "${identifier}".`,
  neverChecked: 'never (only at linking)',
  accountEnabled: (who: string) => `Enabled account ${who}. It can sign in again.`,
  badIdentity: (value: string) => `"${value}" is not a WeCom identity: write it as <corpId>/<userid>, e.g. ww0123456789abcdef/ZhangSan.`,
  identityNotLinked: (identity: string, who: string) => `Account ${who} has no linked WeCom identity ${identity}.`,
  identityUnlinked: (identity: string, who: string) =>
    `Unlinked WeCom identity ${identity} from account ${who}. That member's next sign-in is treated as a new member's.`,
  noAccounts: 'No accounts yet.',
  provisioned: 'provisioned',
  provisionedUnclaimed: 'yes, not yet claimed by a sign-in',
  provisionedClaimed: 'yes, claimed',
  enabled: 'enabled',
  disabled: 'disabled',
  yes: 'yes',
  no: 'no',

  importSummary: (file: string, created: number, updated: number, unchanged: number, refused: number) =>
    `Imported ${file}: ${created} created, ${updated} updated, ${unchanged} unchanged, ${refused} refused.`,
  refusedRows: 'Refused rows (nothing was changed for them):',
  rowLabel: (format: 'csv' | 'json', line: number) => (format === 'csv' ? `line ${line}` : `entry ${line}`),
  cannotReadFile: (file: string, code: string) => `Cannot read ${file} (${code}).`,
  badFormat: (format: string) => `Unknown format "${format}": use --format csv or --format json.`,
  unknownFormat: (file: string) => `Cannot tell the format of ${file} from its name: add --format csv or --format json.`,
  fileRejected: (file: string, problem: string) => `${file} was not imported: ${problem}`,
  fileProblem(problem: ImportFileProblem): string {
    switch (problem.code) {
      case 'unknown_columns':
        return `unknown column${problem.columns.length > 1 ? 's' : ''} ${problem.columns.map((column) => `"${column}"`).join(', ')} (the columns are ${IMPORT_COLUMNS.join(', ')}).`;
      case 'duplicate_column':
        return `the column "${problem.column}" appears twice.`;
      case 'empty':
        return `the file is empty: a CSV file needs a header row (${IMPORT_COLUMNS.join(',')}).`;
      case 'invalid_csv':
        return `it is not valid CSV: ${problem.detail}`;
      case 'invalid_json':
        return `it is not valid JSON: ${problem.detail}`;
      case 'not_an_array':
        return 'a JSON import file must be an array of objects, e.g. [{"username": "ZhangSan", "name": "张三"}].';
      case 'entry_not_an_object':
        return `entry ${problem.entry} is not an object.`;
      case 'value_not_text':
        return `entry ${problem.entry}: "${problem.column}" must be a string.`;
    }
  },

  refusal(reason: ImportRefusal): string {
    switch (reason.code) {
      case 'missing_username':
        return 'no username (the WeCom userid of the member who will sign in to this account)';
      case 'invalid_username':
        return 'the username is not a valid WeCom userid (1-64 letters, digits and _ - @ .)';
      case 'duplicate_username':
        return `the username already appears on an earlier row (${reason.firstLine}) of this file`;
      case 'invalid_email':
        return 'the email address is not valid';
      case 'invalid_phone_number':
        return 'the phone number is not valid (5-15 digits, optionally with +, spaces, dashes or parentheses)';
      case 'invalid_name':
        return 'the name is longer than 64 characters or contains control characters';
      case 'ambiguous_username':
        return `several accounts already have this username (${reason.accountIds.join(', ')}), so it is not clear which to update`;
      case 'email_taken':
        return `the email address already belongs to another account (${reason.accountId}, username ${reason.username}); importing it would make matching by email ambiguous`;
      case 'phone_number_taken':
        return `the phone number already belongs to another account (${reason.accountId}, username ${reason.username}); importing it would make matching by phone number ambiguous`;
    }
  },

  connectionNotFound: (identifier: string, known: string[]) =>
    `No connection is named "${identifier}". The configured connections are: ${known.join(', ')}.`,
  connectionOk: (identifier: string, seconds: number) => `WeCom accepted the Corp ID and Secret of ${identifier} (token valid for ${seconds} s).`,
  connectionRefused: (identifier: string, explanation: string) => `WeCom refused the settings of ${identifier}: ${explanation}`,
  connectionUnreachable: (apiBase: string, reason: string) => `Could not reach WeCom at ${apiBase}: ${reason}`,
  allConnections: 'all',

  serverMismatch: (socket: string, theirs: string, ours: string) =>
    `The server answering on ${socket} uses the storage ${theirs}, not ${ours}. Give each storage file its own directory.`,
  serverBadAnswer: (socket: string) => `The server answering on ${socket} sent an answer the CLI does not understand. Is it the same version?`,
  serverFailed: (detail: string) => `The running server could not carry out the command: ${detail}`,
  backupInServer: 'backup runs in the admin CLI, not in the server.',
  restoreInServer: 'restore runs in the admin CLI, not in the server.',
  backupNothing: (source: string) => `There is no storage at ${source} to back up.`,
  backupDone: (source: string, target: string, summary: string) =>
    `Backed up ${source} (with its journal) to ${target}: ${summary}.\n` +
    'The file holds the private signing keys and live tokens (mode 0600): keep it as safe as the store.',
  restoreServerRunning: (target: string) =>
    `A wecom-oidc server is running with ${target} (its admin socket answers). Stop it, restore, then start it again.`,
  restoreUnreadable: (file: string, code: string) => `Cannot read ${file} (${code}).`,
  restoreWouldReplace: (target: string) =>
    `${target} already exists. Restoring replaces everything in it (accounts, sessions, keys); add --force to do so.`,
  restoreDone: (target: string, file: string, summary: string) => `Restored ${target} from ${file} (${summary}). Start the server to use it.`,
  backupSummary: (createdAt: string, accounts: number, bytes: number) => `taken ${createdAt}, ${accounts} account(s), ${bytes} bytes`,
  backupWithPostgres: (schema: string, dump: string, restore: string) =>
    `With PostgreSQL the database is the backup's source: use its tools, for the schema "${schema}":\n  ${dump}\n  ${restore}\n` +
    'pg_dump takes a consistent snapshot while the replicas run.',
};

const zh: typeof en = {
  unknownCommand: (words, helpCommand) => `未知命令“${words}”。运行 \`${helpCommand}\` 查看所有命令。`,
  badUsage: (problem, helpCommand) => `${problem}\n运行 \`${helpCommand}\` 查看用法。`,
  missingArgument: (what) => `缺少 ${what}。`,
  tooManyArguments: (extra) => `多余的参数“${extra}”。`,
  badLang: (value) => `未知语言“${value}”：请使用 --lang en 或 --lang zh-CN。`,
  internalNoStorage: '此命令需要存储，但存储未打开（管理命令行的缺陷）。',

  accountNotFound: (ref) => `没有 ID 或用户名为“${ref}”的账号。`,
  accountAmbiguous: (ref, ids) => `有多个账号的用户名是“${ref}”：${ids.join('、')}。请用账号 ID 指定。`,
  accountDisabled: (who, revoked, notified) =>
    `已停用账号 ${who}。已撤销 ${revoked} 个会话、授权和令牌：它的刷新令牌立即失效，重新启用前无法登录。已向 ${notified} 个客户端会话发送后端通道登出。`,
  syncSummary: (connection, c, resumed) =>
    `${connection}：已检查 ${c.checked}，在职 ${c.active}，已停用 ${c.disabled}，已退役 ${c.retired}，已改名 ${c.renamed}，出错 ${c.errors}${resumed ? '（接续了上次未完成的核对）' : ''}`,
  syncBusy: (connection) => `${connection}：另一个副本正在核对这个连接，请稍后再试。`,
  syncStopped: (connection) => `${connection}：核对已中止；下次从中止处继续。`,
  syncUnavailable: '核对成员需要访问企业微信，而当前管理上下文没有（管理命令行的缺陷）。',
  noSuchConnection: (identifier) => `没有标识为“${identifier}”的连接。`,
  neverChecked: '从未（仅在关联时）',
  accountEnabled: (who) => `已启用账号 ${who}，可以重新登录。`,
  badIdentity: (value) => `“${value}”不是企业微信身份：请写成 <corpId>/<userid>，例如 ww0123456789abcdef/ZhangSan。`,
  identityNotLinked: (identity, who) => `账号 ${who} 没有关联企业微信身份 ${identity}。`,
  identityUnlinked: (identity, who) => `已从账号 ${who} 解除企业微信身份 ${identity}。该成员下次登录时按新成员处理。`,
  noAccounts: '还没有账号。',
  provisioned: '已预置',
  provisionedUnclaimed: '是，尚未被登录认领',
  provisionedClaimed: '是，已认领',
  enabled: '启用',
  disabled: '停用',
  yes: '是',
  no: '否',

  importSummary: (file, created, updated, unchanged, refused) =>
    `已导入 ${file}：新建 ${created} 个，更新 ${updated} 个，未变 ${unchanged} 个，拒绝 ${refused} 行。`,
  refusedRows: '被拒绝的行（这些行未做任何修改）：',
  rowLabel: (format, line) => (format === 'csv' ? `第 ${line} 行` : `第 ${line} 项`),
  cannotReadFile: (file, code) => `无法读取 ${file}（${code}）。`,
  badFormat: (format) => `未知格式“${format}”：请使用 --format csv 或 --format json。`,
  unknownFormat: (file) => `无法从文件名判断 ${file} 的格式：请加上 --format csv 或 --format json。`,
  fileRejected: (file, problem) => `${file} 未导入：${problem}`,
  fileProblem(problem) {
    switch (problem.code) {
      case 'unknown_columns':
        return `未知的列 ${problem.columns.map((column) => `“${column}”`).join('、')}（可用的列：${IMPORT_COLUMNS.join(', ')}）。`;
      case 'duplicate_column':
        return `列“${problem.column}”出现了两次。`;
      case 'empty':
        return `文件为空：CSV 文件需要表头行（${IMPORT_COLUMNS.join(',')}）。`;
      case 'invalid_csv':
        return `不是有效的 CSV：${problem.detail}`;
      case 'invalid_json':
        return `不是有效的 JSON：${problem.detail}`;
      case 'not_an_array':
        return 'JSON 导入文件必须是对象数组，例如 [{"username": "ZhangSan", "name": "张三"}]。';
      case 'entry_not_an_object':
        return `第 ${problem.entry} 项不是对象。`;
      case 'value_not_text':
        return `第 ${problem.entry} 项：“${problem.column}”必须是字符串。`;
    }
  },

  refusal(reason) {
    switch (reason.code) {
      case 'missing_username':
        return '缺少 username（将登录此账号的成员的企业微信 userid）';
      case 'invalid_username':
        return 'username 不是有效的企业微信 userid（1-64 个字母、数字或 _ - @ .）';
      case 'duplicate_username':
        return `该用户名已出现在本文件前面的行（${reason.firstLine}）`;
      case 'invalid_email':
        return '邮箱地址无效';
      case 'invalid_phone_number':
        return '手机号无效（5-15 位数字，可带 +、空格、短横线或括号）';
      case 'invalid_name':
        return '姓名超过 64 个字符或含有控制字符';
      case 'ambiguous_username':
        return `已有多个账号使用此用户名（${reason.accountIds.join('、')}），无法确定更新哪一个`;
      case 'email_taken':
        return `该邮箱已属于另一个账号（${reason.accountId}，用户名 ${reason.username}）；导入会使按邮箱关联产生歧义`;
      case 'phone_number_taken':
        return `该手机号已属于另一个账号（${reason.accountId}，用户名 ${reason.username}）；导入会使按手机号关联产生歧义`;
    }
  },

  connectionNotFound: (identifier, known) => `没有名为“${identifier}”的连接。已配置的连接：${known.join(', ')}。`,
  connectionOk: (identifier, seconds) => `企业微信接受了 ${identifier} 的 CorpID 和 Secret（令牌有效期 ${seconds} 秒）。`,
  connectionRefused: (identifier, explanation) => `企业微信拒绝了 ${identifier} 的配置：${explanation}`,
  connectionUnreachable: (apiBase, reason) => `无法访问企业微信 ${apiBase}：${reason}`,
  allConnections: '全部',

  serverMismatch: (socket, theirs, ours) => `在 ${socket} 上应答的服务使用的存储是 ${theirs}，而不是 ${ours}。请让每个存储文件使用单独的目录。`,
  serverBadAnswer: (socket) => `在 ${socket} 上应答的服务返回了无法识别的内容。它是同一版本吗？`,
  serverFailed: (detail) => `运行中的服务无法执行此命令：${detail}`,
  backupInServer: 'backup 只能在管理命令行中运行。',
  restoreInServer: 'restore 只能在管理命令行中运行。',
  backupNothing: (source) => `${source} 处没有可备份的存储。`,
  backupDone: (source, target, summary) =>
    `已将 ${source}（含日志）备份到 ${target}：${summary}。\n该文件包含私有签名密钥和有效令牌（权限 0600），请像存储文件一样妥善保管。`,
  restoreServerRunning: (target) => `有 wecom-oidc 服务正在使用 ${target}（其管理套接字有响应）。请先停止服务，恢复后再启动。`,
  restoreUnreadable: (file, code) => `无法读取 ${file}（${code}）。`,
  restoreWouldReplace: (target) => `${target} 已存在。恢复会替换其中的全部内容（账号、会话、密钥）；确认请加 --force。`,
  restoreDone: (target, file, summary) => `已从 ${file} 恢复 ${target}（${summary}）。启动服务即可使用。`,
  backupSummary: (createdAt, accounts, bytes) => `备份于 ${createdAt}，${accounts} 个账号，${bytes} 字节`,
  backupWithPostgres: (schema, dump, restore) =>
    `使用 PostgreSQL 时请用数据库自己的工具备份 schema "${schema}"：\n  ${dump}\n  ${restore}\npg_dump 在副本运行时也能得到一致的快照。`,
};

export type AdminMessages = typeof en;

export function messagesFor(lang: Lang): AdminMessages {
  return lang === 'zh-CN' ? zh : en;
}
