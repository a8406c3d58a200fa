/**
 * An ID-token-only relying party: coreos/go-oidc with golang.org/x/oauth2 (Debian's Go packages),
 * reading the username and groups claims from the ID token exactly as kube-apiserver's OIDC
 * authenticator does (test/interop/go_oidc_rp.go), after the code exchange and after a refresh, as
 * kubelogin does. The README's Kubernetes recipe, read from the README: the client entry
 * (`id_token_claims: "scopes"`), the `--oidc-username-claim` / `--oidc-groups-claim` flags, and
 * kubelogin's scopes and extra parameters. A `minimal` client's ID token is refused there, as
 * kube-apiserver would refuse it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { stopAtApp } from '../support/flow.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { codeBlocks, readmeSection } from './readme.js';
import { DEBIAN_GOPATH, findGoOidc, lineProtocol, signInOnLoginPage, subjectOf } from './support.js';

const found = findGoOidc();
const source = fileURLToPath(new URL('./go_oidc_rp.go', import.meta.url));

/**
 * The README's Kubernetes recipe: our client entry, kube-apiserver's claim flags, and the scopes and
 * extra parameters of the kubelogin exec config.
 */
const recipe = readmeSection('#### Kubernetes (kube-apiserver and kubelogin)');
const [clientJson] = codeBlocks(recipe, 'json');
const [flags] = codeBlocks(recipe, 'text');
const [structured, kubeconfig] = codeBlocks(recipe, 'yaml');
const flag = (text: string, name: string) => [...text.matchAll(new RegExp(`--${name}=(\\S+)`, 'g'))].map((match) => match[1]!);
const USERNAME_CLAIM = flag(flags ?? '', 'oidc-username-claim')[0]!;
const GROUPS_CLAIM = flag(flags ?? '', 'oidc-groups-claim')[0]!;
const SCOPES = ['openid', ...flag(kubeconfig ?? '', 'oidc-extra-scope')];
const EXTRA_PARAMS = flag(kubeconfig ?? '', 'oidc-auth-request-extra-params');

const KUBERNETES = { ...(JSON.parse(clientJson ?? '{}') as Record<string, unknown>), client_secret: 'kubernetes-secret-0123456789abcdef01' } as {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  id_token_claims?: string;
};
const MINIMAL = { ...KUBERNETES, client_id: 'kubernetes-minimal', id_token_claims: undefined };

interface Extracted {
  sub: string;
  aud: string[];
  nonce?: string;
  has_nonce: boolean;
  iat: number;
  username?: string;
  groups: string[];
  claims_error?: string;
}

describe.skipIf('missing' in found)(
  `coreos/go-oidc as an ID-token-only relying party (kube-apiserver's claim rules)${'missing' in found ? ` — skipped: ${found.missing}` : ''}`,
  () => {
    let t: TestServer;
    let buildDir: string;
    let binary: string;

    beforeAll(async () => {
      t = await startTestServer((raw) => {
        (raw.clients as unknown[]).push(structuredClone(KUBERNETES), JSON.parse(JSON.stringify(MINIMAL)));
      });
      buildDir = mkdtempSync(join(tmpdir(), 'wecom-oidc-go-'));
      binary = join(buildDir, 'go_oidc_rp');
      const build = spawnSync((found as { go: string }).go, ['build', '-o', binary, source], {
        env: {
          ...process.env,
          GO111MODULE: 'off',
          GOPATH: DEBIAN_GOPATH,
          GOFLAGS: '',
          // kept between runs: the second build takes a second
          GOCACHE: process.env.GOCACHE ?? join(tmpdir(), 'wecom-oidc-go-build-cache'),
        },
        encoding: 'utf8',
        timeout: 120_000,
      });
      if (build.status !== 0) throw new Error(`go build failed (${build.status}): ${build.stderr}${build.error ?? ''}`);
    }, 150_000);
    afterAll(async () => {
      await t?.stop();
      if (buildDir) rmSync(buildDir, { recursive: true, force: true });
    });

    async function run(client: typeof KUBERNETES, who: string) {
      const redirectUri = client.redirect_uris[0]!;
      const args = [
        t.issuer,
        client.client_id,
        client.client_secret,
        redirectUri,
        USERNAME_CLAIM,
        GROUPS_CLAIM,
        SCOPES.join(','),
        EXTRA_PARAMS.join(','),
      ];
      const child = spawn(binary, args, {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const rp = lineProtocol(child, 'go_oidc_rp');
      try {
        const { authorization_url: authorizationUrl } = await rp.next<{ authorization_url: string }>();
        const request = new URL(authorizationUrl);
        expect(request.searchParams.get('scope')).toBe(SCOPES.join(' '));
        expect(request.searchParams.get('prompt')).toBe('consent');
        expect(request.searchParams.get('nonce')).toBeTruthy();
        const browser = new Browser();
        const loginPage = await browser.follow(authorizationUrl, {}, stopAtApp(redirectUri));
        const landing = await signInOnLoginPage(browser, loginPage, who, stopAtApp(redirectUri));
        // (the redirect to "http://localhost:8000" arrives as "http://localhost:8000/?code=…", the same URL)
        expect(landing.url.startsWith(redirectUri) && new URL(landing.url).searchParams.has('code'), `${landing.status} ${landing.url}`).toBe(true);
        rp.send(landing.url);
        const result = await rp.next<{ initial: Extracted; refreshed: Extracted }>();
        expect(await rp.exited, rp.stderr()).toBe(0);
        return { ...result, nonce: request.searchParams.get('nonce')! };
      } finally {
        if (child.exitCode === null) child.kill();
      }
    }

    it("the README gives the client, the claim flags (the same in the structured configuration) and kubelogin's scopes", () => {
      expect(KUBERNETES).toMatchObject({
        client_id: 'kubernetes',
        id_token_claims: 'scopes',
        redirect_uris: ['http://localhost:8000', 'http://localhost:18000'],
      });
      expect([USERNAME_CLAIM, GROUPS_CLAIM]).toEqual(['preferred_username', 'groups']);
      expect(structured).toMatch(new RegExp(`username:\\n\\s+claim: ${USERNAME_CLAIM}\\n`));
      expect(structured).toMatch(new RegExp(`groups:\\n\\s+claim: ${GROUPS_CLAIM}\\n`));
      expect(SCOPES).toEqual(['openid', 'profile', 'wecom', 'offline_access']);
      expect(EXTRA_PARAMS).toEqual(['prompt=consent']);
    });

    it('id_token_claims "scopes": go-oidc verifies the ID token; username and groups come from it, after a refresh too', async () => {
      const { initial, refreshed, nonce } = await run(KUBERNETES, 'ZhangSan');
      const sub = await subjectOf(t, 'ZhangSan');
      for (const token of [initial, refreshed]) {
        expect(token.claims_error).toBeUndefined();
        expect(token.sub).toBe(sub);
        expect(token.aud).toEqual([KUBERNETES.client_id]);
        // --oidc-username-claim=preferred_username (the WeCom userid), --oidc-groups-claim=groups
        expect(token.username).toBe('ZhangSan');
        expect(token.groups).toEqual(['总部', '研发部']);
      }
      expect(initial.nonce).toBe(nonce);
      // a refreshed ID token repeats no nonce (OIDC Core 12.2 as corrected, connect issue #1025)
      expect(refreshed.has_nonce).toBe(false);
      expect(refreshed.iat).toBeGreaterThan(initial.iat);

      // and LiSi, of one department: a one-element array, never a bare string
      const lisi = await run(KUBERNETES, 'LiSi');
      expect(lisi.initial).toMatchObject({ username: 'LiSi', groups: ['研发部'] });
    });

    it('id_token_claims "minimal" (the default): kube-apiserver would refuse the token, the username claim is not there', async () => {
      const { initial } = await run(MINIMAL, 'ZhangSan');
      expect(initial.sub).toBe(await subjectOf(t, 'ZhangSan'));
      expect(initial.claims_error).toBe('oidc: parse username claims "preferred_username": claim not present');
    });
  },
);
