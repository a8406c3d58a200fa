/**
 * The service unit and the Caddy example, checked by the tools that will read them: systemd's own
 * verifier (no warning allowed) and `caddy validate`. Each is skipped with a reason where the tool
 * is missing (.ci/ensure-deploy-tools.sh installs Caddy; systemd-analyze comes with systemd).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/cli.js';

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const UNIT = join(REPO_ROOT, 'deploy', 'wecom-oidc.service');
const unit = readFileSync(UNIT, 'utf8');
const setting = (name: string) => [...unit.matchAll(new RegExp(`^${name}=(.*)$`, 'gm'))].map((match) => match[1]);

describe('deploy/wecom-oidc.service', () => {
  it('runs as a dedicated user with a private state directory, hardened, and reloads with SIGHUP', () => {
    expect(setting('User')).toEqual(['wecom-oidc']);
    expect(setting('StateDirectory')).toEqual(['wecom-oidc']);
    expect(setting('StateDirectoryMode')).toEqual(['0700']);
    expect(setting('ExecReload')).toEqual(['/bin/kill -HUP $MAINPID']);
    for (const option of ['NoNewPrivileges', 'ProtectHome', 'PrivateTmp', 'PrivateDevices', 'RestrictSUIDSGID', 'LockPersonality']) {
      expect(setting(option), option).toEqual(['yes']);
    }
    expect(setting('ProtectSystem')).toEqual(['strict']);
    expect(setting('CapabilityBoundingSet')).toEqual(['']);
  });

  const analyze = has('systemd-analyze') ? undefined : 'systemd-analyze is not installed';
  it.skipIf(analyze)(`passes systemd-analyze verify without a warning${analyze ? ` — skipped: ${analyze}` : ''}`, () => {
    const check = spawnSync('systemd-analyze', ['verify', UNIT], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    // verify exits 0 even for a value it ignores; any line about our unit is a mistake in it.
    expect(check.stderr.split('\n').filter((line) => line.includes('wecom-oidc.service'))).toEqual([]);
  });
});

const caddyMissing = has('caddy') ? undefined : 'caddy is not installed (run .ci/ensure-deploy-tools.sh)';
describe.skipIf(caddyMissing)(`deploy/Caddyfile${caddyMissing ? ` — skipped: ${caddyMissing}` : ''}`, () => {
  it('is a valid Caddy configuration', () => {
    const home = mkdtempSync(join(tmpdir(), 'wecom-oidc-caddy-'));
    try {
      const check = spawnSync('caddy', ['validate', '--config', join(REPO_ROOT, 'deploy', 'Caddyfile'), '--adapter', 'caddyfile'], {
        encoding: 'utf8',
        env: { ...process.env, HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home },
        timeout: 60_000,
      });
      expect(check.status, check.stderr).toBe(0);
      expect(check.stdout + check.stderr).toMatch(/Valid configuration/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
