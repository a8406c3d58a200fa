/**
 * Turns an import file (CSV with a header row, or a JSON array of objects) into rows for
 * importAccounts. Problems with the file's shape (not CSV, an unknown column, a value that is not
 * text) reject the whole file: importing half of a file the administrator misunderstands would be
 * worse than importing none of it. Problems with one row's values are importAccounts' to report.
 */
import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { IMPORT_COLUMNS, type ImportColumn, type ImportRow } from '../accounts/import.js';

export const IMPORT_FORMATS = ['csv', 'json'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export type ImportFileProblem =
  | { code: 'unknown_columns'; columns: string[] }
  | { code: 'duplicate_column'; column: string }
  | { code: 'empty' }
  | { code: 'invalid_csv'; detail: string }
  | { code: 'invalid_json'; detail: string }
  | { code: 'not_an_array' }
  | { code: 'entry_not_an_object'; entry: number }
  | { code: 'value_not_text'; entry: number; column: ImportColumn };

export type ParsedImportFile = { ok: true; rows: ImportRow[] } | { ok: false; problem: ImportFileProblem };

/** The format named by the file's extension, if it names one. */
export function formatFromName(path: string): ImportFormat | undefined {
  const extension = extname(path).slice(1).toLowerCase();
  return (IMPORT_FORMATS as readonly string[]).includes(extension) ? (extension as ImportFormat) : undefined;
}

export function parseImportFile(content: string, format: ImportFormat): ParsedImportFile {
  return format === 'csv' ? parseCsvFile(content) : parseJsonFile(content);
}

function isColumn(name: string): name is ImportColumn {
  return (IMPORT_COLUMNS as readonly string[]).includes(name);
}

/** Rows carry the line they end on (CSV fields may span lines; most rows are one line). */
function parseCsvFile(content: string): ParsedImportFile {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // With `info: true` each record comes as { record, info }; csv-parse's types do not model that option.
    records = parseCsv(content, { bom: true, info: true, skip_empty_lines: true, trim: true }) as unknown as typeof records;
  } catch (error) {
    return { ok: false, problem: { code: 'invalid_csv', detail: (error as Error).message } };
  }
  const [header, ...body] = records;
  if (!header) return { ok: false, problem: { code: 'empty' } };

  const names = header.record.map((name) => name.toLowerCase());
  const unknown = header.record.filter((_, index) => !isColumn(names[index]!));
  if (unknown.length) return { ok: false, problem: { code: 'unknown_columns', columns: unknown } };
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) return { ok: false, problem: { code: 'duplicate_column', column: duplicate } };

  const columns = names as ImportColumn[];
  const rows = body.map(({ record, info }) => {
    const row: ImportRow = { line: info.lines };
    columns.forEach((column, index) => {
      const value = record[index];
      if (value) row[column] = value;
    });
    return row;
  });
  return { ok: true, rows };
}

/** Rows are numbered by their position in the array, from 1. */
function parseJsonFile(content: string): ParsedImportFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { ok: false, problem: { code: 'invalid_json', detail: (error as Error).message } };
  }
  if (!Array.isArray(parsed)) return { ok: false, problem: { code: 'not_an_array' } };

  const unknown = new Set<string>();
  const rows: ImportRow[] = [];
  for (const [index, entry] of parsed.entries()) {
    const number = index + 1;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      return { ok: false, problem: { code: 'entry_not_an_object', entry: number } };
    }
    const row: ImportRow = { line: number };
    for (const [name, value] of Object.entries(entry as Record<string, unknown>)) {
      if (!isColumn(name)) {
        unknown.add(name);
        continue;
      }
      if (value === null || value === undefined) continue;
      if (typeof value !== 'string') return { ok: false, problem: { code: 'value_not_text', entry: number, column: name } };
      row[name] = value;
    }
    rows.push(row);
  }
  if (unknown.size) return { ok: false, problem: { code: 'unknown_columns', columns: [...unknown] } };
  return { ok: true, rows };
}
