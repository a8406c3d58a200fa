/**
 * OmniAuth's OpenID Connect strategy as GitLab uses it (Debian's ruby-omniauth-openid-connect, which
 * is gitlab-omniauth-openid-connect, on the openid_connect gem): test/interop/omniauth_rp.rb mounts
 * it in a Rack app at GitLab's path, signs in with discovery and client_secret_basic, and then
 * refreshes with the strategy's own client and verifies the refreshed ID token with the strategy's
 * own IdToken#verify! (which fails with "Nonce does not match" when a refreshed token repeats it).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { stopAtApp } from '../support/flow.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { codeBlocks, readmeSection } from './readme.js';
import { findRubyOpenIdConnect, lineProtocol, signInOnLoginPage, subjectOf } from './support.js';

const found = findRubyOpenIdConnect();
const script = fileURLToPath(new URL('./omniauth_rp.rb', import.meta.url));

/**
 * The README's GitLab recipe: our client entry (the default, minimal ID token: OmniAuth reads
 * userinfo too) and the strategy's arguments from gitlab.rb. The refresh needs `offline_access` and
 * the refresh_token grant, which GitLab itself does not use; the test adds them.
 */
const recipe = readmeSection('#### GitLab (OmniAuth openid_connect)');
const readmeClient = JSON.parse(codeBlocks(recipe, 'json')[0] ?? '{}') as { client_id: string; redirect_uris: string[] };
const gitlabRb = codeBlocks(recipe, 'ruby')[0] ?? '';
const readmeScopes = [...(/scope: \[([^\]]*)\]/.exec(gitlabRb)?.[1] ?? '').matchAll(/"([^"]+)"/g)].map((match) => match[1]!);
const GITLAB = {
  ...readmeClient,
  client_secret: 'gitlab-secret-0123456789abcdef012345',
  redirect_uris: ['http://127.0.0.1:59995/users/auth/openid_connect/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
};

interface Result {
  uid: string;
  info: Record<string, unknown>;
  raw_info: Record<string, unknown>;
  id_token: Record<string, unknown>;
  stored_nonce_left: boolean;
  refreshed_id_token?: Record<string, unknown>;
  refresh_verified?: boolean;
  refresh_error?: string;
  control_error: string | null;
}

describe.skipIf('missing' in found)(
  `OmniAuth OpenID Connect (GitLab's strategy) as the relying party${'missing' in found ? ` — skipped: ${found.missing}` : ''}`,
  () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer((raw) => {
        (raw.clients as unknown[]).push(structuredClone(GITLAB));
      });
    });
    afterAll(() => t?.stop());

    it('the README gives the client and the strategy arguments omniauth_rp.rb uses', () => {
      expect(readmeClient).toMatchObject({ client_id: 'gitlab', first_party: true });
      expect(readmeClient).not.toHaveProperty('id_token_claims');
      expect(new URL(readmeClient.redirect_uris[0]!).pathname).toBe('/users/auth/openid_connect/callback');
      expect(readmeScopes).toEqual(['openid', 'profile', 'email']);
      for (const argument of ['discovery: true', 'response_type: "code"', 'client_auth_method: "basic"', 'uid_field: "sub"']) {
        expect(gitlabRb).toContain(argument);
      }
    });

    it('signs in (discovery, code flow, IdToken#verify!), then a refreshed ID token passes the same verify!', async () => {
      const redirectUri = GITLAB.redirect_uris[0]!;
      const child = spawn(
        (found as { ruby: string }).ruby,
        [script, t.issuer, GITLAB.client_id, GITLAB.client_secret, redirectUri, [...readmeScopes, 'offline_access'].join(',')],
        {
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      const rp = lineProtocol(child, 'omniauth_rp.rb');
      try {
        const { authorization_url: authorizationUrl } = await rp.next<{ authorization_url: string }>();
        const request = new URL(authorizationUrl);
        expect(request.origin + request.pathname).toBe(`${t.issuer}/auth`);
        expect(request.searchParams.get('prompt')).toBe('consent');
        expect(request.searchParams.get('scope')).toBe('openid profile email offline_access');
        const nonce = request.searchParams.get('nonce');
        expect(nonce).toBeTruthy();

        const browser = new Browser();
        const loginPage = await browser.follow(authorizationUrl, {}, stopAtApp(redirectUri));
        const landing = await signInOnLoginPage(browser, loginPage, 'LiSi', stopAtApp(redirectUri));
        expect(landing.url.startsWith(`${redirectUri}?`), `${landing.status} ${landing.url}`).toBe(true);
        rp.send(landing.url);

        const result = await rp.next<Result>();
        expect(await rp.exited, rp.stderr()).toBe(0);
        const sub = await subjectOf(t, 'LiSi');
        // what GitLab stores: uid = sub, nickname = preferred_username (the WeCom userid), name
        expect(result.uid).toBe(sub);
        expect(result.info).toMatchObject({ name: '李四', nickname: 'LiSi' });
        expect(result.id_token).toMatchObject({ iss: t.issuer, aud: GITLAB.client_id, sub, nonce });
        expect(result.stored_nonce_left).toBe(false);

        // the refresh: the strategy's verify! with the nonce the session has left (none)
        expect(result.refresh_error).toBeUndefined();
        expect(result.refresh_verified).toBe(true);
        expect(result.refreshed_id_token).toMatchObject({ iss: t.issuer, aud: GITLAB.client_id, sub });
        expect(result.refreshed_id_token).not.toHaveProperty('nonce');
        expect(result.refreshed_id_token!.auth_time ?? null).toBe(result.id_token.auth_time ?? null);
        // the control: the same verify! refuses a token that carries the nonce (the sign-in's own)
        expect(result.control_error).toBe('OpenIDConnect::ResponseObject::IdToken::InvalidNonce: Invalid ID Token: Nonce does not match');
      } finally {
        if (child.exitCode === null) child.kill();
      }
    });
  },
);
