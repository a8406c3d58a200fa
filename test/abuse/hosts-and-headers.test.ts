/**
 * Hosts and headers (issue 12, item 5): a malformed Host is a 400, never a 500; X-Forwarded-Host is
 * honoured only behind a trusted proxy and only when it names the issuer; an https issuer brings
 * HSTS and Secure cookies even on a plain-http hop; the form_post page has our security headers.
 * Malformed Host headers are sent over a raw socket: fetch refuses to send them.
 */
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIDENTIAL, startTestServer, type TestServer } from '../support/server.js';

/** Sends one raw HTTP/1.1 request and returns the status line's code and the raw answer. */
function rawRequest(port: number, head: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(5_000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text });
    });
    socket.write(`${head}\r\nConnection: close\r\n\r\n`);
  });
}

/** An authorization request of the confidential test client (code flow, scope openid) at `base`. */
function authUrl(base: string, extra: Record<string, string> = {}): URL {
  const url = new URL(`${base}/auth`);
  url.search = new URLSearchParams({
    client_id: CONFIDENTIAL.client_id,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: CONFIDENTIAL.redirect_uris[0]!,
    ...extra,
    state: 'abcdefgh',
  }).toString();
  return url;
}

const BAD_HOSTS = ['a b', '[', '%zz', 'x:99999', 'evil.example/path', 'user@evil.example', ''];
const PATHS = [
  '/.well-known/openid-configuration',
  '/jwks',
  '/auth?client_id=rp&response_type=code&scope=openid&redirect_uri=http%3A%2F%2F127.0.0.1%3A59999%2Fcb',
  '/session/end',
  '/interaction/abc',
  '/nowhere',
];

describe('malformed Host headers', () => {
  let t: TestServer;
  let port: number;
  beforeAll(async () => {
    t = await startTestServer();
    port = Number(new URL(t.issuer).port);
  });
  afterAll(() => t.stop());

  it('answers 400, never 500, and logs no error', async () => {
    // Warm the discovery cache first: the raw fast path must refuse them too.
    expect((await fetch(`${t.issuer}/.well-known/openid-configuration`)).status).toBe(200);
    const statuses: string[] = [];
    for (const host of BAD_HOSTS) {
      for (const path of PATHS) {
        const { status, text } = await rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: ${host}`);
        statuses.push(`${JSON.stringify(host)} ${path.split('?')[0]} → ${status}`);
        expect(text).not.toMatch(/TypeError|Invalid URL|at .*\.js/);
      }
    }
    expect(statuses.filter((line) => !line.endsWith('→ 400'))).toEqual([]);
    expect(t.logLines.filter((line) => /"level":"error"/.test(line))).toEqual([]);
  });

  it('still answers a well-formed Host (any case, default port)', async () => {
    const { status } = await rawRequest(port, `GET /.well-known/openid-configuration HTTP/1.1\r\nHost: 127.0.0.1:${port}`);
    expect(status).toBe(200);
  });
});

describe('X-Forwarded-Host behind a trusted proxy', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer((raw) => {
      raw.trustProxy = true;
    });
  });
  afterAll(() => t.stop());

  it('is ignored when it names another host: discovery shows the issuer, malformed ones are no 500', async () => {
    for (const forwarded of ['evil.example', 'evil.example, 127.0.0.1', 'a b', '%zz']) {
      const response = await fetch(`${t.issuer}/.well-known/openid-configuration`, { headers: { 'x-forwarded-host': forwarded } });
      expect(response.status).toBe(200);
      const body = await response.text();
      expect(body).not.toContain('evil.example');
      expect((JSON.parse(body) as { authorization_endpoint: string }).authorization_endpoint).toBe(`${t.issuer}/auth`);
    }
  });

  it('is honoured when it is the issuer host, and a junk X-Forwarded-Proto is dropped', async () => {
    const host = new URL(t.issuer).host;
    const response = await fetch(`${t.issuer}/.well-known/openid-configuration`, {
      headers: { 'x-forwarded-host': host, 'x-forwarded-proto': 'a b' },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { token_endpoint: string }).token_endpoint).toBe(`${t.issuer}/token`);
  });
});

describe('an https issuer', () => {
  let t: TestServer;
  let plain: string;
  beforeAll(async () => {
    t = await startTestServer((raw) => {
      raw.issuer = String(raw.issuer).replace('http://127.0.0.1', 'https://localhost');
    });
    plain = `http://127.0.0.1:${new URL(t.issuer).port}`;
  });
  afterAll(() => t.stop());

  it('sends HSTS and Secure cookies even on a plain-http hop', async () => {
    const response = await fetch(authUrl(plain), { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000');
    const cookies = response.headers.getSetCookie();
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) expect(cookie.toLowerCase()).toContain('; secure');
    const discovery = await fetch(`${plain}/.well-known/openid-configuration`, { headers: { host: 'localhost' } });
    expect(discovery.headers.get('strict-transport-security')).toBe('max-age=31536000');
  });
});

describe('the form_post page', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  it('carries a strict CSP allowing only its own script and a post to the client, plus nosniff and no referrer', async () => {
    const response = await fetch(
      authUrl(t.issuer, {
        response_mode: 'form_post',
        prompt: 'none', // no session: login_required, delivered by the form_post page
      }),
      { redirect: 'manual' },
    );
    const body = await response.text();
    expect(body).toContain('<form method="post" action="http://127.0.0.1:59999/cb"');
    expect(body).toContain('login_required');
    const script = /<script>([\s\S]*?)<\/script>/.exec(body)?.[1] ?? '';
    const digest = createHash('sha256').update(script).digest('base64');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src 'sha256-${digest}'`);
    expect(csp).toContain('form-action http://127.0.0.1:59999');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('does not put that CSP on the redirect answers of /auth', async () => {
    const response = await fetch(authUrl(t.issuer), { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('content-security-policy')).toBeNull();
  });
});
