/**
 * The rooms of src/ and the one-way flow between them (docs/architecture.md), checked on every
 * import of every production module as TypeScript's own parser reads them (type-only imports
 * count: they are dependencies of the design even when erased at run time).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

interface Module {
  /** Path below src/, with '/' separators. */
  path: string;
  source: string;
  /** Our own modules it imports (paths below src/), and the packages it imports. */
  ours: string[];
  packages: string[];
}

function productionFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return productionFiles(path);
    return /\.ts$/.test(entry.name) && !/\.(test|test-helper|d)\.ts$/.test(entry.name) ? [path] : [];
  });
}

const modules: Module[] = productionFiles(SRC).map((file) => {
  const source = readFileSync(file, 'utf8');
  const specifiers = ts.preProcessFile(source, true, true).importedFiles.map((imported) => imported.fileName);
  const ours = specifiers
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) =>
      relative(SRC, resolve(dirname(file), specifier.replace(/\.js$/, '.ts')))
        .split(sep)
        .join('/'),
    );
  const packages = specifiers.filter((specifier) => !specifier.startsWith('.'));
  return { path: relative(SRC, file).split(sep).join('/'), source, ours, packages };
});

/** The room of a path below src/: its top folder, or the file itself at the top. */
const roomOf = (path: string) => (path.includes('/') ? path.slice(0, path.indexOf('/')) : path.replace(/\.ts$/, ''));
const inRoom = (room: string) => modules.filter((module) => roomOf(module.path) === room);

/** Imports of `module` that leave its room for a room not in `allowed`. */
function reachesBeyond(module: Module, allowed: readonly string[]): string[] {
  return module.ours.filter((target) => roomOf(target) !== roomOf(module.path) && !allowed.includes(roomOf(target)));
}

function offenders(room: string, allowed: readonly string[]): string[] {
  return inRoom(room).flatMap((module) => reachesBeyond(module, allowed).map((target) => `${module.path} → ${target}`));
}

describe('the rooms of src/', () => {
  it('reads the whole tree (a broken scan would pass every rule)', () => {
    expect(modules.length).toBeGreaterThan(150);
    for (const room of ['model', 'wecom', 'accounts', 'oidc', 'web', 'storage', 'config']) expect(inRoom(room).length, room).toBeGreaterThan(0);
  });

  it('model/ is the ground floor: it imports nothing of ours and no package', () => {
    expect(offenders('model', [])).toEqual([]);
    expect(inRoom('model').flatMap((module) => module.packages)).toEqual([]);
  });

  it('storage drivers import model/ only', () => {
    expect(offenders('storage', ['model'])).toEqual([]);
  });

  it('wecom/ knows nothing of the web, accounts or OIDC, and has no Koa in it', () => {
    expect(offenders('wecom', ['model', 'config', 'observability'])).toEqual([]);
    expect(inRoom('wecom').filter((module) => module.packages.some((name) => /^(koa|@koa\/|oidc-provider)/.test(name)))).toEqual([]);
  });

  it('other rooms reach WeCom through its face, wecom/index.ts, only', () => {
    const deep = modules.flatMap((module) =>
      roomOf(module.path) === 'wecom'
        ? []
        : module.ours.filter((target) => target.startsWith('wecom/') && target !== 'wecom/index.ts').map((target) => `${module.path} → ${target}`),
    );
    expect(deep).toEqual([]);
  });

  it('no WeCom errcode, user-agent pattern or SDK parameter outside wecom/ (and its stand-in)', () => {
    const wecomFacts =
      /\b(40001|40013|40014|40029|40091|42001|45009|45033|48002|50001|60011|60020|60111|60123|301002)\b|wxwork|snsapi_|login_type|redirect_type|panel_size/;
    const found = modules
      .filter((module) => !['wecom', 'simulator'].includes(roomOf(module.path)))
      .flatMap((module) =>
        module.source
          .split('\n')
          .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line) && wecomFacts.test(line))
          .map((line) => `${module.path}: ${line.trim()}`),
      );
    expect(found).toEqual([]);
  });

  it('the flow is one way: accounts and oidc do not reach into web, wecom does not reach into accounts', () => {
    expect(offenders('accounts', ['model', 'wecom', 'config', 'observability'])).toEqual([]);
    expect(offenders('oidc', ['model', 'accounts', 'config', 'observability'])).toEqual([]);
    // config/ validates with the rules' owners (claim names, secret shapes, the schema-name pattern).
    expect(offenders('config', ['model', 'wecom', 'accounts', 'oidc', 'storage'])).toEqual([]);
    expect(offenders('observability', ['model'])).toEqual([]);
  });

  it('only main.ts (and the tests) import the composition root', () => {
    expect(modules.filter((module) => module.ours.includes('app.ts')).map((module) => module.path)).toEqual(['main.ts']);
  });
});
