/**
 * The admin CLI's commands, from argv to output. Pure: no process.exit, no console, no files; what
 * a command needs comes in the context, and what it says goes out in the result.
 *
 * `parseAdminCommand` runs first and alone, so the CLI can tell, before it opens anything, whether
 * the command needs the storage (and must then run inside the server if one is running) and which
 * input files to read and hand over.
 */
import { parseBackup, parseRestore } from './backup-commands.js';
import { parseAccountsList, parseAccountsSetDisabled, parseAccountsShow, parseAccountsSync, parseAccountsUnlink } from './accounts-commands.js';
import { parseClientsList } from './clients-commands.js';
import { done, failed, output, usageError, type ParsedCommand } from './command.js';
import { parseConnectionsList, parseConnectionsTest } from './connections-commands.js';
import type { AdminContext, AdminResult, LocalAdminContext } from './context.js';
import { terminalText } from './format.js';
import { groupHelp, helpCommand, isCommandGroup, topHelp, type CommandGroup } from './help.js';
import { parseAccountsImport } from './import-command.js';
import { parseKeysList, parseKeysRotate } from './keys-commands.js';
import { messagesFor } from './messages.js';
import type { Lang } from '../model/index.js';

type Parser = (args: readonly string[], lang: Lang) => ParsedCommand;

const COMMANDS: Record<CommandGroup, Record<string, Parser>> = {
  accounts: {
    import: parseAccountsImport,
    list: parseAccountsList,
    show: parseAccountsShow,
    disable: (args, lang) => parseAccountsSetDisabled(args, lang, true),
    enable: (args, lang) => parseAccountsSetDisabled(args, lang, false),
    unlink: parseAccountsUnlink,
    sync: parseAccountsSync,
  },
  connections: {
    list: parseConnectionsList,
    test: parseConnectionsTest,
  },
  clients: {
    list: parseClientsList,
  },
  keys: {
    list: parseKeysList,
    rotate: parseKeysRotate,
  },
  // `backup FILE` and `restore FILE` are single words (see parseAdminCommand); the group is for help.
  backup: {},
};

/** Commands of one word, whose second word is an argument. */
const SINGLE_WORD_COMMANDS: Record<string, Parser> = { backup: parseBackup, restore: parseRestore };

const HELP_WORDS = new Set(['help', '--help', '-h']);

export interface GlobalOptions {
  lang?: Lang;
  /** The argv without --config/--lang (the CLI resolves --config itself, like the server). */
  rest: string[];
  /** A problem with the global options themselves, e.g. an unknown --lang. */
  problem?: string;
}

/** Takes `--config FILE`, `--config=FILE`, `--lang X` and `--lang=X` out of argv, wherever they are. */
export function extractGlobalOptions(argv: readonly string[], fallbackLang: Lang): GlobalOptions {
  const rest: string[] = [];
  let lang: string | undefined;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg === '--config' || arg === '--lang') {
      const value = argv[index + 1];
      index += 1;
      if (arg === '--lang') lang = value ?? '';
    } else if (arg.startsWith('--config=')) {
      // handled by resolveConfigPath
    } else if (arg.startsWith('--lang=')) {
      lang = arg.slice('--lang='.length);
    } else {
      rest.push(arg);
    }
  }
  if (lang === undefined) return { rest };
  if (lang === 'en' || lang === 'zh-CN') return { lang, rest };
  if (lang.toLowerCase().startsWith('zh')) return { lang: 'zh-CN', rest };
  return { rest, problem: messagesFor(fallbackLang).badLang(lang) };
}

export function parseAdminCommand(argv: readonly string[], lang: Lang): ParsedCommand {
  const t = messagesFor(lang);
  const [first, second, ...args] = argv;
  if (first === undefined) return output(usageError(topHelp(lang)));
  if (HELP_WORDS.has(first)) {
    if (isCommandGroup(second)) return output(done(groupHelp(second, lang)));
    if (second === undefined) return output(done(topHelp(lang)));
    return output(usageError(t.unknownCommand(second, helpCommand())));
  }
  const single = Object.hasOwn(SINGLE_WORD_COMMANDS, first) ? SINGLE_WORD_COMMANDS[first] : undefined;
  if (single) return single(second === undefined ? args : [second, ...args], lang);
  if (!isCommandGroup(first)) return output(usageError(t.unknownCommand(first, helpCommand())));
  if (second === undefined) return output(usageError(groupHelp(first, lang)));
  if (HELP_WORDS.has(second)) return output(done(groupHelp(first, lang)));
  const parse = Object.hasOwn(COMMANDS[first], second) ? COMMANDS[first][second] : undefined;
  if (!parse) return output(usageError(t.unknownCommand(`${first} ${second}`, helpCommand(first))));
  return parse(args, lang);
}

/** Parses and runs one command with a context that has everything (the server's, or the offline CLI's). */
export async function runAdminCommand(argv: readonly string[], ctx: AdminContext): Promise<AdminResult> {
  const global = extractGlobalOptions(argv, ctx.lang);
  if (global.problem) return usageError(global.problem);
  const lang = global.lang ?? ctx.lang;
  return runParsedCommand(parseAdminCommand(global.rest, lang), { ...ctx, lang });
}

/** A context with or without the storage: the CLI opens it only for commands that need it. */
type SomeAdminContext = LocalAdminContext & Partial<Pick<AdminContext, 'storage' | 'accounts' | 'reconcile' | 'progress'>>;

/**
 * Runs a parsed command. A storage command given a context without storage is a bug in the caller,
 * reported rather than thrown.
 */
export async function runParsedCommand(command: ParsedCommand, ctx: SomeAdminContext): Promise<AdminResult> {
  const result = await run(command, ctx);
  return { ...result, stdout: terminalText(result.stdout), stderr: terminalText(result.stderr) };
}

async function run(command: ParsedCommand, ctx: SomeAdminContext): Promise<AdminResult> {
  switch (command.kind) {
    case 'output':
      return command.result;
    case 'local':
      return command.run(ctx);
    case 'storage': {
      const { storage, accounts } = ctx;
      if (!storage || !accounts) return failed(messagesFor(ctx.lang).internalNoStorage);
      return command.run({ ...ctx, storage, accounts });
    }
  }
}
