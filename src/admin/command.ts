/**
 * The shape every admin command shares: parsed first (pure, no I/O), so the CLI knows before running
 * it whether it needs the storage and which input files to read; then run with a context.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT, type AdminContext, type AdminResult, type LocalAdminContext } from './context.js';
import { groupHelp, helpCommand, type CommandGroup } from './help.js';
import { messagesFor } from './messages.js';
import type { Lang } from '../model/index.js';

export type ParsedCommand =
  /** Help, or a usage error: nothing to run. */
  | { kind: 'output'; result: AdminResult }
  /** Reads only the configuration (or calls WeCom): always runs in the CLI process. */
  | { kind: 'local'; run(ctx: LocalAdminContext): Promise<AdminResult> }
  /** Reads or changes accounts: runs where the storage is open (the server, if it is running). */
  | { kind: 'storage'; inputFiles: string[]; run(ctx: AdminContext): Promise<AdminResult> };

function line(text: string): string {
  return text.endsWith('\n') || !text ? text : `${text}\n`;
}

export function done(stdout: string): AdminResult {
  return { exitCode: EXIT.ok, stdout: line(stdout), stderr: '' };
}

export function failed(stderr: string, stdout = ''): AdminResult {
  return { exitCode: EXIT.failed, stdout: line(stdout), stderr: line(stderr) };
}

export function usageError(stderr: string): AdminResult {
  return { exitCode: EXIT.usage, stdout: '', stderr: line(stderr) };
}

export function output(result: AdminResult): ParsedCommand {
  return { kind: 'output', result };
}

type Options = NonNullable<ParseArgsConfig['options']>;
type ValuesOf<O extends Options> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values'];

/**
 * parseArgs with the conventions of every command: `-h/--help` prints the group's help, unknown
 * options and a wrong number of positionals are usage errors that say how to get help.
 */
export function parseCommandArgs<O extends Options>(
  args: readonly string[],
  options: O,
  positionals: readonly string[],
  group: CommandGroup,
  lang: Lang,
): { values: ValuesOf<O>; positionals: string[] } | ParsedCommand {
  const t = messagesFor(lang);
  if (args.includes('--help') || args.includes('-h')) return output(done(groupHelp(group, lang)));
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    return output(usageError(t.badUsage((error as Error).message, helpCommand(group))));
  }
  const missing = positionals[parsed.positionals.length];
  if (missing) return output(usageError(t.badUsage(t.missingArgument(missing), helpCommand(group))));
  const extra = parsed.positionals[positionals.length];
  if (extra !== undefined) return output(usageError(t.badUsage(t.tooManyArguments(extra), helpCommand(group))));
  return { values: parsed.values, positionals: parsed.positionals };
}

export function isParsedCommand(value: object): value is ParsedCommand {
  return 'kind' in value;
}
