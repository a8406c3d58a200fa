/**
 * Authlib (Python, Debian's python3-authlib) as the relying party: test/interop/authlib_rp.py does
 * discovery, PKCE, the code exchange, ID token validation against our JWKS and userinfo; this test
 * is the person in between (browser → our login → simulator QR page → the RP's redirect_uri).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { stopAtApp } from '../support/flow.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { INSTALL_HINT, findAuthlibPython, signInOnLoginPage, subjectOf } from './support.js';

const python = findAuthlibPython();
const script = fileURLToPath(new URL('./authlib_rp.py', import.meta.url));

const AUTHLIB_CLIENT = {
  client_id: 'authlib-rp',
  client_secret: 'authlib-secret-0123456789abcdef0123',
  redirect_uris: ['http://127.0.0.1:59997/authlib/cb'],
  grant_types: ['authorization_code'],
  first_party: true,
};

describe.skipIf(!python)(
  `Authlib (python3-authlib) as the relying party${python ? '' : ` — skipped: no Python 3 with authlib and requests (${INSTALL_HINT})`}`,
  () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer((raw) => {
        (raw.clients as unknown[]).push(structuredClone(AUTHLIB_CLIENT));
      });
    });
    afterAll(() => t?.stop());

    it('signs in with the code flow + PKCE, validates the ID token with the JWKS, reads userinfo', async () => {
      const redirectUri = AUTHLIB_CLIENT.redirect_uris[0]!;
      const child = spawn(python!, [script, t.issuer, AUTHLIB_CLIENT.client_id, AUTHLIB_CLIENT.client_secret, redirectUri], {
        // Authlib refuses plain http except on "localhost:"; the test issuer is http://127.0.0.1:<port>
        env: { ...process.env, AUTHLIB_INSECURE_TRANSPORT: '1', PYTHONDONTWRITEBYTECODE: '1' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const nextLine = async () => {
        const line = await lines.next();
        if (line.done) throw new Error(`authlib_rp.py ended early (exit ${await exited}): ${stderr}`);
        return JSON.parse(line.value) as Record<string, unknown>;
      };

      try {
        const { authorization_url: authorizationUrl } = (await nextLine()) as { authorization_url: string };
        const request = new URL(authorizationUrl);
        expect(request.searchParams.get('code_challenge_method')).toBe('S256');
        expect(request.searchParams.get('nonce')).toBeTruthy();

        const browser = new Browser();
        const loginPage = await browser.follow(authorizationUrl, {}, stopAtApp(redirectUri));
        const landing = await signInOnLoginPage(browser, loginPage, 'ZhangSan', stopAtApp(redirectUri));
        expect(landing.url.startsWith(redirectUri), `${landing.status} ${landing.url}`).toBe(true);
        child.stdin.end(`${landing.url}\n`);

        const result = (await nextLine()) as {
          id_token_header: { alg: string; kid: string };
          id_token_claims: Record<string, unknown>;
          token_type: string;
          userinfo: Record<string, unknown>;
        };
        expect(await exited, stderr).toBe(0);
        const sub = await subjectOf(t, 'ZhangSan');
        expect(result.id_token_header.alg).toBe('RS256');
        expect(result.id_token_claims).toMatchObject({ iss: t.issuer, aud: AUTHLIB_CLIENT.client_id, sub });
        expect(result.token_type.toLowerCase()).toBe('bearer');
        expect(result.userinfo).toMatchObject({ sub, name: '张三', preferred_username: 'ZhangSan' });
      } finally {
        if (child.exitCode === null) child.kill();
      }
    });
  },
);
