import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig } from '../../config/load.js';
import { createMemoryLogger } from '../../observability/log.js';
import { MIN_CONTRAST, SURFACES, contrast, themeFor, themeStylesheet } from './colours.js';
import { loadBranding } from './index.js';

const FAVICON = readFileSync(new URL('../views/favicon.ico', import.meta.url));
const MARK_SVG = readFileSync(new URL('../views/mark.svg', import.meta.url));
// A 1×1 PNG (the smallest valid one) and a PNG header claiming 5000×10 pixels.
const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const PNG_TOO_WIDE = Buffer.concat([PNG_1X1.subarray(0, 16), Buffer.from([0, 0, 0x13, 0x88, 0, 0, 0, 10]), PNG_1X1.subarray(24)]);

function configWith(branding: unknown) {
  return {
    issuer: 'http://localhost:3000',
    connections: [{ identifier: 'wecom', displayName: 'WeCom', corpId: 'ww5a1b2c3d4e5f6a7b', agentId: '1000002', secret: 'x' }],
    branding,
  };
}

function problemsOf(branding: unknown, baseDir?: string): string[] {
  try {
    parseConfig(configWith(branding), {}, 'test', baseDir);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

function dirWith(files: Record<string, Buffer | string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'wecom-oidc-branding-unit-'));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  return dir;
}

describe('branding configuration', () => {
  it('accepts the issue example, files relative to the configuration file', () => {
    const dir = dirWith({ 'logo.png': PNG_1X1, 'favicon.ico': FAVICON, 'extra.css': '.brand-name { font-weight: 700; }' });
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify(
        configWith({
          name: { 'zh-CN': '示例科技', en: 'Example Tech' },
          logo: './logo.png',
          favicon: './favicon.ico',
          primaryColor: '#0b5fff',
          footer: { helpdesk: 'IT 服务台 分机 8000', privacyUrl: 'https://example.com/privacy', icp: '京ICP备12345678号' },
          css: './extra.css',
        }),
      ),
    );
    const config = loadConfigFile(join(dir, 'config.json'), {});
    expect(config.branding?.logo).toBe(join(dir, 'logo.png'));
    expect(config.branding?.css).toBe(join(dir, 'extra.css'));
  });

  it('refuses a bad colour, a missing file, a file that is not an image, and oversize images, naming each key', () => {
    const dir = dirWith({ 'logo.png': 'just text', 'favicon.png': PNG_TOO_WIDE });
    expect(problemsOf({ primaryColor: 'blue' })).toEqual(['branding.primaryColor: must be a hex colour such as "#0b5fff" or "#06f"']);
    expect(problemsOf({ logo: './nope.png' }, dir)).toEqual(['branding.logo: cannot read the file (ENOENT)']);
    expect(problemsOf({ logo: './logo.png', favicon: './favicon.png' }, dir)).toEqual([
      'branding.logo: is not an image (allowed: png, jpg, gif, webp, svg)',
      'branding.favicon: is 5000×10 pixels; at most 512×512 are allowed',
    ]);
    expect(problemsOf({ favicon: './logo.png', css: './favicon.png' }, dirWith({ 'logo.png': MARK_SVG, 'favicon.png': PNG_1X1 }))).toEqual([
      'branding.favicon: is svg; allowed: ico, png',
      'branding.css: must be a UTF-8 text stylesheet',
    ]);
  });

  it('refuses files over their size limit and an ICP link that is not text', () => {
    const dir = dirWith({ 'extra.css': 'a{}'.padEnd(70 * 1024, ' ') });
    expect(problemsOf({ css: './extra.css' }, dir)).toEqual(['branding.css: the file is 71680 bytes; at most 65536 are allowed']);
    const footerProblems = problemsOf({ footer: { icp: '', privacyUrl: 'javascript:alert(1)' } });
    expect(footerProblems).toHaveLength(2);
    expect(footerProblems).toContain('branding.footer.privacyUrl: must be an absolute http(s) URL');
    expect(footerProblems.some((problem) => problem.startsWith('branding.footer.icp: '))).toBe(true);
  });

  it('displayName and client_name take one string or one per language', () => {
    const raw = configWith(undefined) as Record<string, unknown>;
    raw.connections = [
      { identifier: 'wecom', displayName: { 'zh-CN': '企业微信', en: 'WeCom' }, corpId: 'ww5a1b2c3d4e5f6a7b', agentId: '1', secret: 'x' },
    ];
    raw.clients = [
      { client_id: 'a', client_name: { 'zh-CN': '看板', en: 'Dashboard' } },
      { client_id: 'b', client_name: 'Plain' },
    ];
    const config = parseConfig(raw, {});
    expect(config.connections[0]!.displayName).toEqual({ 'zh-CN': '企业微信', en: 'WeCom' });
    // oidc-provider gets a string; the per-language names travel as our own client metadata.
    expect(config.clients[0]).toMatchObject({ client_name: '看板', client_name_localized: { 'zh-CN': '看板', en: 'Dashboard' } });
    expect(config.clients[1]).toEqual({ client_id: 'b', client_name: 'Plain' });
    raw.connections = [{ identifier: 'wecom', displayName: { fr: 'WeCom' }, corpId: 'ww5a1b2c3d4e5f6a7b', agentId: '1', secret: 'x' }];
    expect(() => parseConfig(raw, {})).toThrow(ConfigError);
  });
});

describe('branding colours', () => {
  it('keeps a colour that already reads well, and derives a readable one for dark mode', () => {
    const theme = themeFor('#0b5fff');
    expect(theme.adjusted).toBe(false);
    expect(theme.light).toEqual({ accent: '#0b5fff', onAccent: '#ffffff' });
    for (const surface of SURFACES.dark) expect(contrast(theme.dark.accent, surface)).toBeGreaterThanOrEqual(MIN_CONTRAST);
    expect(contrast(theme.dark.accent, theme.dark.onAccent)).toBeGreaterThanOrEqual(MIN_CONTRAST);
  });

  it.each(['#7fb2ff', '#ffcc00', '#fff', '#00ff00'])('darkens %s until text on it and it on our surfaces reach 4.5:1', (colour) => {
    const theme = themeFor(colour);
    expect(theme.adjusted).toBe(true);
    expect(contrast(theme.light.accent, theme.light.onAccent)).toBeGreaterThanOrEqual(MIN_CONTRAST);
    for (const surface of SURFACES.light) expect(contrast(theme.light.accent, surface)).toBeGreaterThanOrEqual(MIN_CONTRAST);
    for (const surface of SURFACES.dark) expect(contrast(theme.dark.accent, surface)).toBeGreaterThanOrEqual(MIN_CONTRAST);
  });

  it('is applied by a generated stylesheet served from our origin, and the adjustment is logged', () => {
    const log = createMemoryLogger();
    const branding = loadBranding({ primaryColor: '#7fb2ff' }, '/oidc', log);
    const [themeUrl] = branding.stylesheets;
    expect(themeUrl).toMatch(/^\/oidc\/assets\/brand\/theme\.css\?v=[0-9a-f]{10}$/);
    expect(String(branding.files.get('/oidc/assets/brand/theme.css')?.body)).toBe(themeStylesheet(themeFor('#7fb2ff')));
    expect(log.lines.some((line) => line.includes('branding.primaryColor is too light'))).toBe(true);
  });

  it('serves our favicon at /favicon.ico when none is configured', () => {
    const branding = loadBranding(undefined, '', createMemoryLogger());
    expect(branding.files.get('/favicon.ico')).toEqual({ type: 'image/x-icon', body: FAVICON });
    expect(branding.stylesheets).toEqual([]);
  });
});
