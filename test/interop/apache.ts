/**
 * Runs Debian's Apache httpd (`apache2 -X`: one process, foreground) from a throw-away ServerRoot on
 * a loopback port, with the modules mod_auth_openidc needs, a page under /protected that shows (via
 * SSI) what mod_auth_openidc set, a plain /logged-out.html (a post-logout target), and the given
 * configuration lines appended.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APACHE } from './support.js';

export interface RunningApache {
  base: string;
  errorLog(): string;
  stop(): Promise<void>;
}

/** The SSI page at /protected/index.shtml: each variable in a <span id="…">. */
export const SHOWN = {
  'remote-user': 'REMOTE_USER',
  sub: 'OIDC_CLAIM_sub',
  username: 'OIDC_CLAIM_preferred_username',
  groups: 'OIDC_CLAIM_groups',
  email: 'OIDC_CLAIM_email',
};

export async function startApache(port: number, configLines: (base: string) => string[], env: Record<string, string> = {}): Promise<RunningApache> {
  const base = `http://127.0.0.1:${port}`;
  const serverRoot = mkdtempSync(join(tmpdir(), 'wecom-oidc-apache-'));
  // Apache started as root serves as an unprivileged user, which must be able to read the pages
  chmodSync(serverRoot, 0o755);
  mkdirSync(join(serverRoot, 'htdocs', 'protected'), { recursive: true });
  writeFileSync(
    join(serverRoot, 'htdocs', 'protected', 'index.shtml'),
    [
      '<!DOCTYPE html><html><body>',
      ...Object.entries(SHOWN).map(([id, variable]) => `<p>${variable}=<span id="${id}"><!--#echo var="${variable}" --></span></p>`),
      '</body></html>',
      '',
    ].join('\n'),
  );
  writeFileSync(join(serverRoot, 'htdocs', 'up.html'), '<!DOCTYPE html><p>up</p>\n');
  writeFileSync(join(serverRoot, 'htdocs', 'logged-out.html'), '<!DOCTYPE html><p>logged out</p>\n');
  writeFileSync(join(serverRoot, 'mime.types'), 'text/html html\n');
  const runAs = process.getuid?.() === 0 && spawnSync('id', ['-u', 'www-data']).status === 0 ? ['User www-data', 'Group www-data'] : [];
  const modules = ['mpm_prefork', 'authn_core', 'authz_core', 'authz_user', 'mime', 'include'].map(
    (name) => `LoadModule ${name}_module ${APACHE.modules}/mod_${name}.so`,
  );
  writeFileSync(
    join(serverRoot, 'httpd.conf'),
    [
      `ServerRoot "${serverRoot}"`,
      `Listen 127.0.0.1:${port}`,
      'ServerName 127.0.0.1',
      // one process (-X) serves one connection at a time: no idle keep-alive connections
      'KeepAlive Off',
      `PidFile "${serverRoot}/httpd.pid"`,
      `DefaultRuntimeDir "${serverRoot}"`,
      `Mutex file:${serverRoot} default`,
      `ErrorLog "${serverRoot}/error.log"`,
      'LogLevel warn auth_openidc:info',
      ...runAs,
      ...modules,
      `LoadModule auth_openidc_module ${APACHE.modules}/mod_auth_openidc.so`,
      `DocumentRoot "${serverRoot}/htdocs"`,
      `<Directory "${serverRoot}/htdocs">`,
      '  Options +Includes',
      '  Require all granted',
      '</Directory>',
      `TypesConfig "${serverRoot}/mime.types"`,
      'AddType text/html .shtml',
      'AddOutputFilter INCLUDES .shtml',
      ...configLines(base),
      '',
    ].join('\n'),
  );

  const errorLog = () => {
    try {
      return `\n--- error.log ---\n${readFileSync(join(serverRoot, 'error.log'), 'utf8').slice(-3000)}`;
    } catch {
      return '';
    }
  };
  const apache: ChildProcess = spawn(APACHE.binary!, ['-X', '-f', join(serverRoot, 'httpd.conf')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let output = '';
  apache.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  apache.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async () => {
    if (apache.exitCode === null) {
      const exited = new Promise((resolve) => apache.once('exit', resolve));
      apache.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (apache.exitCode === null) apache.kill('SIGKILL');
    }
    rmSync(serverRoot, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (apache.exitCode !== null) {
      const log = errorLog();
      await stop();
      throw new Error(`apache2 exited with ${apache.exitCode}: ${output}${log}`);
    }
    try {
      await fetch(`${base}/up.html`);
      break;
    } catch {
      if (Date.now() > deadline) {
        const log = errorLog();
        await stop();
        throw new Error(`apache2 did not start listening on ${base}: ${output}${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { base, errorLog, stop };
}
