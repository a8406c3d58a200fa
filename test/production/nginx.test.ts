/**
 * The nginx example of the README (deploy/nginx/wecom-oidc.conf), run for real: `nginx -t` accepts
 * it, and in front of two replicas it serves the provider over TLS under the issuer's path with the
 * URLs the clients must see (X-Forwarded-* + trustProxy), WeCom's verification file at the host's
 * root on http and https, redirects plain http, and keeps /metrics off the public side.
 *
 * Only the addresses, certificate paths and host name are changed from the example, for a test.
 * Skipped with a reason where Debian's nginx or openssl is missing (.ci/ensure-deploy-tools.sh).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import { createMemoryLogger } from '../../src/observability/log.js';
import { startServer, type RunningServer } from '../../src/app.js';
import { REPO_ROOT } from '../support/cli.js';
import { freePort } from '../support/server.js';

const NGINX = ['/usr/sbin/nginx', '/usr/local/sbin/nginx'].find((path) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
});
const OPENSSL = spawnSync('openssl', ['version']).status === 0;
const missing = !NGINX
  ? 'nginx is not installed (run .ci/ensure-deploy-tools.sh)'
  : !OPENSSL
    ? 'openssl is not installed (run .ci/ensure-deploy-tools.sh)'
    : undefined;

const VERIFY = 'WW_verify_Ab12Cd34Ef56Gh78.txt';
let dir: string;
let nginx: ChildProcess | undefined;
let nginxOutput = '';
const replicas: RunningServer[] = [];
let httpsPort: number;
let httpPort: number;
let ca: string;

function fetchTls(path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port: httpsPort, path, servername: 'localhost', ca, headers: { host: `localhost:${httpsPort}` } }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    }).on('error', reject);
  });
}

/** The example with test addresses: what an operator edits (host, certificate, ports), nothing else. */
function siteConfig(example: string, upstreamPorts: number[]): string {
  return example
    .replace(/^\s*listen \[::\]:\d+( ssl)?;\n/gm, '')
    .replace(/listen 80;/, `listen 127.0.0.1:${httpPort};`)
    .replace(/listen 443 ssl;/, `listen 127.0.0.1:${httpsPort} ssl;`)
    .replaceAll('server_name id.example.com;', 'server_name localhost;')
    .replace('/etc/ssl/certs/id.example.com.crt', join(dir, 'tls.crt'))
    .replace('/etc/ssl/private/id.example.com.key', join(dir, 'tls.key'))
    .replaceAll('snippets/wecom-oidc-proxy-headers.conf', join(REPO_ROOT, 'deploy', 'nginx', 'proxy-headers.conf'))
    .replace('server 127.0.0.1:3000 ', `server 127.0.0.1:${upstreamPorts[0]} `)
    .replace('server 127.0.0.1:3001 ', `server 127.0.0.1:${upstreamPorts[1]} `);
}

describe.skipIf(missing)(`nginx in front of two replicas, as deploy/nginx/wecom-oidc.conf${missing ? ` — skipped: ${missing}` : ''}`, () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wecom-oidc-nginx-'));
    mkdirSync(join(dir, 'temp'));
    httpsPort = await freePort();
    httpPort = await freePort();
    const cert = spawnSync('sh', [join(REPO_ROOT, 'deploy', 'compose', 'make-cert.sh'), dir], { encoding: 'utf8' });
    expect(cert.status, cert.stderr).toBe(0);
    ca = readFileSync(join(dir, 'tls.crt'), 'utf8');

    // Two replicas; each answers the verification file with its own content, to see both are used.
    const ports = [await freePort(), await freePort()];
    for (const [index, port] of ports.entries()) {
      const config = parseConfig(
        {
          issuer: `https://localhost:${httpsPort}/oidc`,
          trustProxy: true,
          listen: { host: '127.0.0.1', port },
          storage: { driver: 'lowdb', path: join(dir, `replica-${index}`, 'db.json') },
          clients: [{ client_id: 'app', client_secret: 'x'.repeat(32), redirect_uris: ['https://app.example.com/cb'] }],
          connections: [{ identifier: 'wecom', displayName: 'WeCom', corpId: 'ww5a1b2c3d4e5f6a7b', agentId: '1000002', secret: 's' }],
          wecom: { verificationFiles: { [VERIFY]: `replica${index}` } },
        },
        {},
      );
      replicas.push(await startServer(config, { log: createMemoryLogger() }));
    }

    const example = readFileSync(join(REPO_ROOT, 'deploy', 'nginx', 'wecom-oidc.conf'), 'utf8');
    writeFileSync(join(dir, 'site.conf'), siteConfig(example, ports));
    const temp = join(dir, 'temp');
    writeFileSync(
      join(dir, 'nginx.conf'),
      [
        // As root, nginx would switch its workers to "nobody", who cannot use this private directory.
        process.getuid?.() === 0 ? 'user root;' : '',
        'daemon off;',
        'worker_processes 1;',
        `pid ${join(dir, 'nginx.pid')};`,
        `error_log ${join(dir, 'error.log')} warn;`,
        'events { worker_connections 64; }',
        'http {',
        '  access_log off;',
        `  client_body_temp_path ${temp}/body; proxy_temp_path ${temp}/proxy; fastcgi_temp_path ${temp}/fastcgi;`,
        `  uwsgi_temp_path ${temp}/uwsgi; scgi_temp_path ${temp}/scgi;`,
        `  include ${join(dir, 'site.conf')};`,
        '}',
      ].join('\n'),
    );
  }, 60_000);

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx!.once('exit', resolve));
      nginx.kill('SIGQUIT');
      await exited;
    }
    for (const replica of replicas) await replica.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('nginx -t accepts the example', () => {
    const check = spawnSync(NGINX!, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    expect(check.stderr).toMatch(/syntax is ok/);
  });

  it('serves the provider over TLS under the issuer path, with the public URLs, from both replicas', async () => {
    nginx = spawn(NGINX!, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    nginx.stderr!.setEncoding('utf8').on('data', (chunk: string) => (nginxOutput += chunk));
    const deadline = Date.now() + 15_000;
    for (;;) {
      const up = await fetchTls('/oidc/healthz').then(
        (answer) => answer.status === 200,
        () => false,
      );
      if (up) break;
      if (Date.now() > deadline || nginx.exitCode !== null) throw new Error(`nginx did not start: ${nginxOutput}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const discovery = await fetchTls('/oidc/.well-known/openid-configuration');
    expect(discovery.status).toBe(200);
    const metadata = JSON.parse(discovery.body) as Record<string, string>;
    const issuer = `https://localhost:${httpsPort}/oidc`;
    expect(metadata.issuer).toBe(issuer);
    expect(metadata.authorization_endpoint).toBe(`${issuer}/auth`);
    expect(metadata.token_endpoint).toBe(`${issuer}/token`);
    expect(metadata.jwks_uri).toBe(`${issuer}/jwks`);
    expect(discovery.headers['strict-transport-security']).toBe('max-age=31536000');

    // WeCom's verification file at the host root; both replicas take turns behind the proxy.
    const seen = new Set<string>();
    for (let round = 0; round < 6; round += 1) {
      const file = await fetchTls(`/${VERIFY}`);
      expect(file.status).toBe(200);
      expect(file.headers['content-type']).toBe('text/plain; charset=utf-8');
      seen.add(file.body);
    }
    expect(seen).toEqual(new Set(['replica0', 'replica1']));

    // Plain http: the verification file is answered (WeCom may check over http), the rest redirects.
    const plainFile = await fetch(`http://127.0.0.1:${httpPort}/${VERIFY}`, { headers: { host: 'localhost' } });
    expect(plainFile.status).toBe(200);
    const plain = await fetch(`http://127.0.0.1:${httpPort}/oidc/.well-known/openid-configuration`, { redirect: 'manual' });
    expect(plain.status).toBe(301);
    expect(plain.headers.get('location')).toMatch(/^https:\/\//);

    expect((await fetchTls('/oidc/metrics')).status).toBe(404);
    // Nothing outside the issuer's path reaches the provider.
    expect((await fetchTls('/.well-known/openid-configuration')).status).toBe(404);
  }, 60_000);
});
