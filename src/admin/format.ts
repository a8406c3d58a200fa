/**
 * Plain-text output for people at a terminal: aligned tables and "key: value" blocks.
 *
 * Values come from storage and configuration (names imported from a file, profiles from WeCom), so
 * control characters are shown escaped: an escape sequence in a name must not repaint the terminal.
 * Chinese characters take two columns in a terminal, which the alignment accounts for.
 */

/** Escapes C0/C1 control characters (including ESC, CR and LF) as \\uXXXX. */
export function terminalSafe(value: string): string {
  return value.replace(/\p{Cc}/gu, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** East Asian wide and fullwidth characters occupy two terminal columns. */
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]/u;

export function displayWidth(value: string): number {
  let width = 0;
  for (const char of value) width += WIDE.test(char) ? 2 : 1;
  return width;
}

function pad(value: string, width: number): string {
  return value + ' '.repeat(Math.max(0, width - displayWidth(value)));
}

/** A table with a header row; empty cells show as "-". Ends with a newline. */
export function table(headers: readonly string[], rows: readonly (readonly (string | undefined)[])[]): string {
  const cells = rows.map((row) => headers.map((_, index) => terminalSafe(row[index] || '-')));
  const widths = headers.map((header, index) => Math.max(displayWidth(header), ...cells.map((row) => displayWidth(row[index]!))));
  const line = (row: readonly string[]) =>
    row
      .map((cell, index) => (index === row.length - 1 ? cell : pad(cell, widths[index]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n') + '\n';
}

/** "key: value" lines, keys aligned; undefined values are left out. Ends with a newline. */
export function fields(entries: readonly (readonly [string, string | undefined])[], indent = ''): string {
  const present = entries.filter((entry): entry is readonly [string, string] => entry[1] !== undefined);
  const width = Math.max(0, ...present.map(([key]) => displayWidth(key) + 1));
  return present.map(([key, value]) => `${indent}${pad(`${key}:`, width)} ${terminalSafe(value)}\n`).join('');
}

/** Stored times are seconds since the epoch. */
export function isoDate(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString();
}

/** Pretty JSON for `--json`, newline-terminated. */
export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Whole output: control characters escaped, except the newlines and tabs that shape it. */
export function terminalText(text: string): string {
  return text.replace(/[^\P{Cc}\n\t]/gu, (char) => terminalSafe(char));
}
