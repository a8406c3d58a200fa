/**
 * What an admin command runs with. The dispatcher is pure: it gets everything from here and returns
 * its output, so the same commands run in the CLI process (offline) and inside the running server
 * (through the admin socket) without knowing which.
 */
import type { SweepResult } from '../accounts/reconcile.js';
import type { AccountService } from '../accounts/service.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../observability/log.js';
import type { Lang, Storage } from '../model/index.js';

/** Enough for the commands that only read the configuration or call WeCom. */
export interface LocalAdminContext {
  config: Config;
  lang: Lang;
  /** Where the WeCom client logs; the CLI passes a silent one so only the command's output is printed. */
  log: Logger;
  /**
   * The content of an input file named on the command line (`accounts import FILE`). The CLI reads it
   * relative to its own working directory; the server only answers with content the CLI sent, and
   * never opens a path a client names.
   */
  readInput(path: string): Promise<string>;
  /**
   * A FILE the CLI itself writes or reads (backup, restore), resolved where the administrator ran
   * the command. Absent inside the server, which never touches a path a client names.
   */
  resolveFile?(path: string): string;
}

/** Everything, for the account and key commands. */
export interface AdminContext extends LocalAdminContext {
  storage: Storage;
  accounts: AccountService;
  /** Inside the running server: start using changed signing keys now (the CLI alone has no server to tell). */
  onKeysChanged?: () => Promise<unknown>;
  /** Re-checks every linked member of a connection against WeCom (accounts/reconcile.ts). */
  reconcile?: (connection: string, onProgress?: (done: number, total: number) => void) => Promise<SweepResult>;
  /** Where a long command reports how far it is (the CLI draws a progress bar on stderr). */
  progress?: (done: number, total: number) => void;
}

export interface AdminResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** 0 done; 1 the command ran and failed (refused rows, no such account, WeCom said no); 2 wrong usage or configuration. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export function pickLang(env: NodeJS.ProcessEnv): Lang {
  // POSIX precedence: LC_ALL overrides LC_MESSAGES, which overrides LANG.
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return locale.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}
