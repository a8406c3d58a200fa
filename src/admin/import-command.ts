/**
 * `accounts import FILE [--format csv|json]`. The file is read by the CLI (relative to where it was
 * run) and handed over as content through `ctx.readInput`, so the server, when it carries the command
 * out, never opens a path a client chose.
 */
import { importAccounts, type ImportReport } from '../accounts/import.js';
import { done, failed, isParsedCommand, output, parseCommandArgs, usageError, type ParsedCommand } from './command.js';
import { helpCommand } from './help.js';
import { IMPORT_FORMATS, formatFromName, parseImportFile, type ImportFormat } from './import-file.js';
import { messagesFor, type AdminMessages } from './messages.js';
import type { Lang } from '../model/index.js';

const OPTIONS = { format: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

export function parseAccountsImport(args: readonly string[], lang: Lang): ParsedCommand {
  const parsed = parseCommandArgs(args, OPTIONS, ['FILE'], 'accounts', lang);
  if (isParsedCommand(parsed)) return parsed;
  const [file] = parsed.positionals as [string];
  const t = messagesFor(lang);
  const named = parsed.values.format?.toLowerCase();
  if (named !== undefined && !(IMPORT_FORMATS as readonly string[]).includes(named)) {
    return output(usageError(t.badUsage(t.badFormat(parsed.values.format!), helpCommand('accounts'))));
  }
  const format = (named as ImportFormat | undefined) ?? formatFromName(file);
  if (!format) return output(usageError(t.badUsage(t.unknownFormat(file), helpCommand('accounts'))));

  return {
    kind: 'storage',
    inputFiles: [file],
    async run(ctx) {
      const t = messagesFor(ctx.lang);
      const file = parsed.positionals[0]!;
      let content: string;
      try {
        content = await ctx.readInput(file);
      } catch (error) {
        return failed(t.cannotReadFile(file, (error as NodeJS.ErrnoException).code ?? 'error'));
      }
      const rows = parseImportFile(content, format);
      if (!rows.ok) return failed(t.fileRejected(file, t.fileProblem(rows.problem)));
      const report = await importAccounts(ctx.storage.accounts, rows.rows, Date.now);
      ctx.log.info('accounts imported by an administrator', {
        created: report.created,
        updated: report.updated,
        unchanged: report.unchanged,
        refused: report.refused.length,
      });
      const text = describeReport(file, format, report, t);
      return report.refused.length ? failed('', text) : done(text);
    },
  };
}

function describeReport(file: string, format: ImportFormat, report: ImportReport, t: AdminMessages): string {
  const summary = t.importSummary(file, report.created, report.updated, report.unchanged, report.refused.length);
  if (!report.refused.length) return `${summary}\n`;
  const refused = report.refused.map((row) => `  ${t.rowLabel(format, row.line)}: ${row.reasons.map((reason) => t.refusal(reason)).join('; ')}`);
  return [summary, t.refusedRows, ...refused].join('\n') + '\n';
}
