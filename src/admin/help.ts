/**
 * The CLI's usage text, whole and per command group, in English and Chinese.
 */
import type { Lang } from '../model/index.js';

export const COMMAND_GROUPS = ['accounts', 'connections', 'clients', 'keys', 'backup'] as const;
export type CommandGroup = (typeof COMMAND_GROUPS)[number];

/** How a user asks for help, quoted in error messages. */
export function helpCommand(group?: CommandGroup): string {
  return group ? `npm run admin -- ${group} --help` : 'npm run admin -- --help';
}

const USAGE = 'npm run admin -- <command> [options]      (or: node dist/admin/cli.js <command> [options])';

const GROUPS: Record<CommandGroup, Record<Lang, string>> = {
  accounts: {
    en: `Accounts
  accounts import FILE [--format csv|json]
                          Create or update provisioned accounts from a CSV or JSON file
  accounts list [--json]  List every account
  accounts show <id-or-username> [--json]
                          Show one account, with its linked WeCom identities
  accounts disable <id-or-username>
                          Disable an account and revoke its sessions, grants and tokens
  accounts enable <id-or-username>
                          Let a disabled account sign in again
  accounts unlink <id-or-username> <corpId>/<userid>
                          Remove a linked WeCom identity; that member's next sign-in is a new member's
  accounts sync [--connection ID]
                          Re-check every linked member with WeCom now; offboard those who left
`,
    'zh-CN': `账号
  accounts import FILE [--format csv|json]
                          从 CSV 或 JSON 文件新建或更新预置账号
  accounts list [--json]  列出所有账号
  accounts show <id-or-username> [--json]
                          显示一个账号及其关联的企业微信身份
  accounts disable <id-or-username>
                          停用账号，并撤销其所有会话、授权和令牌
  accounts enable <id-or-username>
                          重新启用已停用的账号
  accounts unlink <id-or-username> <corpId>/<userid>
                          解除关联的企业微信身份；该成员下次登录时按新成员处理
  accounts sync [--connection ID]
                          立即向企业微信核对所有已关联成员；已离开者即刻下线
`,
  },
  connections: {
    en: `Connections
  connections list [--json]
                          List the configured WeCom connections (never the secret)
  connections test <identifier>
                          Ask WeCom for an access token with the connection's Corp ID and Secret,
                          and explain the answer (e.g. the IP to add to the app's trusted IPs)
`,
    'zh-CN': `连接
  connections list [--json]
                          列出已配置的企业微信连接（不显示 Secret）
  connections test <identifier>
                          用该连接的 CorpID 和 Secret 向企业微信获取 access_token，并解释结果
                          （例如需要加入应用可信 IP 的地址）
`,
  },
  clients: {
    en: `Clients
  clients list [--json]   List the configured OIDC clients (never the client secret)
`,
    'zh-CN': `客户端
  clients list [--json]   列出已配置的 OIDC 客户端（不显示 client_secret）
`,
  },
  keys: {
    en: `Signing keys
  keys list [--json]      List the signing keys: current, next (published, not yet signing) and retiring
  keys rotate             One safe rotation step: publish the next keys, or (run again once relying
                          parties have refreshed their JWKS) start signing with them; old keys stay
                          published until their tokens have expired
`,
    'zh-CN': `签名密钥
  keys list [--json]      列出签名密钥：当前、下一组（已发布、尚未签名）和即将退役的
  keys rotate             安全轮换的一步：发布下一组密钥；或（依赖方刷新 JWKS 后再次运行）开始用它们签名；
                          旧密钥在其签发的令牌过期前仍会发布
`,
  },
  backup: {
    en: `Backups (embedded store; with PostgreSQL they print how to use pg_dump)
  backup FILE             Write the whole store (snapshot and journal) to FILE as one file;
                          safe while the server runs
  restore FILE [--force]  Replace the store with a backup; the server must be stopped, and
                          --force is needed when a store exists
`,
    'zh-CN': `备份（内嵌存储；使用 PostgreSQL 时会说明如何用 pg_dump）
  backup FILE             将整个存储（快照和日志）写成一个文件 FILE；服务运行时也可执行
  restore FILE [--force]  用备份替换存储；须先停止服务，已有存储时须加 --force
`,
  },
};

const DETAILS: Partial<Record<CommandGroup, Record<Lang, string>>> = {
  accounts: {
    en: `
Import files: CSV with a header row, or a JSON array of objects. The columns are
  username       (required) the WeCom userid of the member who will sign in to the account
  email, phone_number, name   (optional)
An account is found by username (case-insensitively): it is created if there is none, updated if
its email, phone number or name differ, and left alone otherwise, so importing a file twice is
harmless. Empty cells keep what the account has. Rows with an invalid value, a username repeated in
the file, or an email or phone number of another account are refused and listed by line; the other
rows are imported. Any refused row makes the exit code 1.
`,
    'zh-CN': `
导入文件：带表头行的 CSV，或对象数组形式的 JSON。列为
  username       （必填）将登录此账号的成员的企业微信 userid
  email, phone_number, name   （可选）
按用户名（不区分大小写）查找账号：不存在则新建，邮箱、手机号或姓名不同则更新，否则不变，因此重复导入同一文件是安全的。
空单元格保留账号原有的值。值无效、用户名在文件中重复、邮箱或手机号属于其他账号的行会被拒绝并按行号列出，其余行照常导入。
有任何被拒绝的行时退出码为 1。
`,
  },
};

const OPTIONS: Record<Lang, string> = {
  en: `Options
  --config FILE           The server's configuration file (default: $WECOM_OIDC_CONFIG, else config/default.json)
  --lang en|zh-CN         Language of the messages (default: from $LANG)
  -h, --help              This help; "<group> --help" for one group

While the server runs, account commands are carried out by the server itself, through the socket
admin.sock next to its storage file; otherwise the CLI opens the storage file directly.
Exit codes: 0 done, 1 the command failed (refused rows, no such account, WeCom said no), 2 wrong
usage or configuration.
`,
  'zh-CN': `选项
  --config FILE           服务的配置文件（默认：$WECOM_OIDC_CONFIG，否则 config/default.json）
  --lang en|zh-CN         消息语言（默认取自 $LANG）
  -h, --help              显示帮助；"<组> --help" 只显示一组命令

服务运行时，账号命令通过存储文件旁的 admin.sock 交由服务自己执行；否则命令行直接打开存储文件。
退出码：0 成功，1 命令失败（有被拒绝的行、账号不存在、企业微信拒绝），2 用法或配置错误。
`,
};

export function topHelp(lang: Lang): string {
  const usage = lang === 'zh-CN' ? `用法：${USAGE}` : `Usage: ${USAGE}`;
  return [usage, '', ...COMMAND_GROUPS.map((group) => GROUPS[group][lang]), OPTIONS[lang]].join('\n');
}

export function groupHelp(group: CommandGroup, lang: Lang): string {
  const usage = lang === 'zh-CN' ? `用法：${USAGE}` : `Usage: ${USAGE}`;
  return [usage, '', GROUPS[group][lang] + (DETAILS[group]?.[lang] ?? ''), OPTIONS[lang]].join('\n');
}

export function isCommandGroup(word: string | undefined): word is CommandGroup {
  return (COMMAND_GROUPS as readonly (string | undefined)[]).includes(word);
}
