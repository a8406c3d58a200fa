import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEFAULT_CONFIG_PATH, loadConfigFile, parseConfig, resolveConfigPath } from './load.js';

const minimal = () => ({
  issuer: 'http://localhost:3000',
  connections: [{ identifier: 'wecom', displayName: 'WeCom', corpId: 'ww5a1b2c3d4e5f6a7b', agentId: '1000002', secret: '${WECOM_SECRET}' }],
});

function problemsOf(raw: unknown, env: NodeJS.ProcessEnv = { WECOM_SECRET: 's3cret' }): string[] {
  try {
    parseConfig(raw, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('the embedded default is valid and enables the simulator and the demo', () => {
    const config = loadConfigFile(DEFAULT_CONFIG_PATH, {});
    expect(config.simulator.enabled).toBe(true);
    expect(config.demo.enabled).toBe(true);
    expect(config.storage).toEqual({ driver: 'lowdb', path: './data/db.json' });
  });

  it('reads ${NAME} from the environment and fills defaults', () => {
    const config = parseConfig(minimal(), { WECOM_SECRET: 's3cret' });
    expect(config.connections[0]!.secret).toBe('s3cret');
    expect(config.connections[0]!.association).toEqual({ mode: 'off' });
    expect(config.connections[0]!.loginOnly).toBe(false);
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(config.wecom.apiBase).toBe('https://qyapi.weixin.qq.com');
  });

  it('names the field and the variable when an environment variable is missing, without echoing values', () => {
    const problems = problemsOf(minimal(), {});
    expect(problems).toEqual(['connections[0].secret: environment variable WECOM_SECRET is not set']);
  });

  it.each([
    [{ identifier: 'WeCom' }, /connections\[0\]\.identifier: must be 1-31 characters/],
    [{ identifier: 'a'.repeat(32) }, /connections\[0\]\.identifier/],
    [{ agentId: 'abc' }, /connections\[0\]\.agentId/],
    [{ association: { mode: 'match' } }, /connections\[0\]\.association\.fields/],
    [{ association: { mode: 'match', fields: ['name'] } }, /connections\[0\]\.association\.fields\[0\]/],
    [{ secret: '' }, /connections\[0\]\.secret: must not be empty/],
    [{ emailFallback: { template: 'all@corp.example.com' } }, /connections\[0\]\.emailFallback\.template: must contain "\{userid\}"/],
    [{ emailFallback: { template: '{userid}@localhost' } }, /connections\[0\]\.emailFallback\.template: must yield a valid e-mail address/],
    [{ emailFallback: { template: '{userid}@corp.example.com', verified: 'yes' } }, /connections\[0\]\.emailFallback\.verified/],
    [{ emailFallback: '{userid}@corp.example.com' }, /connections\[0\]\.emailFallback/],
  ])('rejects a bad connection %j', (patch, message) => {
    const raw = minimal();
    Object.assign(raw.connections[0]!, patch);
    expect(problemsOf(raw).join('\n')).toMatch(message);
  });

  it('accepts an emailFallback template, unverified unless declared verified', () => {
    const raw = minimal();
    Object.assign(raw.connections[0]!, { emailFallback: { template: '{userid}@corp.example.com' } });
    expect(parseConfig(raw, { WECOM_SECRET: 's' }).connections[0]!.emailFallback).toEqual({
      template: '{userid}@corp.example.com',
      verified: false,
    });
  });

  it('accepts id_token_claims "minimal" or "scopes" and rejects anything else, naming the field', () => {
    const withClaims = (value: unknown) => ({ ...minimal(), clients: [{ client_id: 'k8s', id_token_claims: value }] });
    expect(problemsOf(withClaims('scopes'))).toEqual([]);
    expect(problemsOf(withClaims('minimal'))).toEqual([]);
    expect(problemsOf(withClaims('all')).join('\n')).toMatch(/clients\[0\]\.id_token_claims: .*"minimal".*"scopes"/);
  });

  it('rejects duplicate connection identifiers and client ids', () => {
    const raw = {
      ...minimal(),
      connections: [minimal().connections[0], minimal().connections[0]],
      clients: [{ client_id: 'a' }, { client_id: 'a' }],
    };
    const problems = problemsOf(raw).join('\n');
    expect(problems).toMatch(/connections\[1\]\.identifier: "wecom" is used by more than one connection/);
    expect(problems).toMatch(/clients\[1\]\.client_id: "a" is used by more than one client/);
  });

  it('rejects unknown keys and a bad issuer', () => {
    const problems = problemsOf({ ...minimal(), issuer: 'ftp://x', lisen: {} }).join('\n');
    expect(problems).toMatch(/issuer: must be an absolute http\(s\) URL/);
    expect(problems).toMatch(/lisen/);
  });

  it('reports a file that is not JSON', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wecom-oidc-config-')), 'bad.json');
    writeFileSync(file, '{ "issuer": ');
    expect(() => loadConfigFile(file, {})).toThrow(/not valid JSON/);
  });

  it('chooses the file from --config, then WECOM_OIDC_CONFIG, then the default', () => {
    expect(resolveConfigPath(['--config', 'a.json'], { WECOM_OIDC_CONFIG: 'b.json' })).toBe('a.json');
    expect(resolveConfigPath(['--config=c.json'], {})).toBe('c.json');
    expect(resolveConfigPath([], { WECOM_OIDC_CONFIG: 'b.json' })).toBe('b.json');
    expect(resolveConfigPath([], {})).toBe(DEFAULT_CONFIG_PATH);
    expect(() => resolveConfigPath(['--config'], {})).toThrow(ConfigError);
  });
});

describe('configuration errors never crash', () => {
  it('reports an issuer that is not a URL as a problem with the field', () => {
    const problems = problemsOf({ ...minimal(), issuer: 'not a url' });
    expect(problems.join('\n')).toMatch(/issuer: must be an absolute http\(s\) URL/);
  });
});

describe('storage.url for PostgreSQL', () => {
  const withUrl = (url: string) => ({ ...minimal(), storage: { driver: 'postgres', url } });
  it.each([
    'postgres://wecom:pw@db.internal:5432/wecom',
    'postgresql://wecom@db.internal/wecom?sslmode=verify-full',
    // libpq's Unix-socket forms: an empty host with ?host=, or the socket directory percent-encoded
    'postgres://wecom@/wecom?host=/var/run/postgresql',
    'postgres://wecom@%2Fvar%2Frun%2Fpostgresql/wecom',
  ])('accepts %s', (url) => {
    expect(problemsOf(withUrl(url))).toEqual([]);
  });
  it.each(['db.internal:5432/wecom', 'mysql://wecom@db.internal/wecom', 'postgres://wecom:pw@db.internal:99999/wecom', 'postgres://[db/wecom'])(
    'refuses %s without echoing it',
    (url) => {
      const problems = problemsOf(withUrl(url)).join('\n');
      expect(problems).toMatch(/storage\.url: must be a postgres:\/\/ or postgresql:\/\/ connection URL/);
      expect(problems).not.toContain('pw');
    },
  );
});
