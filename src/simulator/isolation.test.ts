/**
 * The production path never loads the simulator: outside src/simulator, the only references to it
 * are type-only imports (erased at compile time) and the one dynamic import behind
 * `simulator.enabled` in app.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('..', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'simulator' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

it('no production module imports the simulator except by type or behind the enabled flag', () => {
  const offenders: string[] = [];
  const dynamic: string[] = [];
  for (const file of sourceFiles(SRC)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!/simulator\/[\w-]+\.js['"]/.test(line)) continue;
      if (/^\s*import type /.test(line)) continue;
      if (/await import\(/.test(line)) dynamic.push(relative(SRC, file));
      else offenders.push(`${relative(SRC, file)}: ${line.trim()}`);
    }
  }
  expect(offenders).toEqual([]);
  expect(dynamic).toEqual(['app.ts']);
});
