/**
 * What the ID token carries (client metadata `id_token_claims`), what a refreshed one carries (OIDC
 * Core 12.2: no nonce; the same sub, aud, azp and auth_time), and the per-connection e-mail fallback,
 * through the real flow with openid-client as the relying party.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { Browser } from './support/browser.js';
import { CONFIDENTIAL, CORP_ID, startTestServer, type TestServer } from './support/server.js';
import { discover, signInAndRedeem } from './support/flow.js';

/** An ID-token-only app (kube-apiserver, Argo CD): it reads every claim from the ID token. */
const KUBERNETES = {
  ...CONFIDENTIAL,
  client_id: 'kubernetes',
  client_secret: 'kubernetes-secret-0123456789abcdef0123',
  redirect_uris: ['http://127.0.0.1:59999/k8s-cb'],
  id_token_claims: 'scopes',
};
const ALL_SCOPES = 'openid offline_access profile email phone wecom';

let t: TestServer;
let rp: oidc.Configuration;
let kubernetes: oidc.Configuration;

beforeAll(async () => {
  t = await startTestServer((raw) => {
    (raw.clients as unknown[]).push(KUBERNETES);
    const [connection] = raw.connections as Record<string, unknown>[];
    connection!.emailFallback = { template: '{userid}@corp.example.com' };
    // an app created before 2022-06-20: LiSi's biz_mail comes from user/get
    raw.simulator = {
      enabled: true,
      apps: [{ corpId: CORP_ID, agentId: connection!.agentId, secret: connection!.secret, legacyContactFields: true }],
    };
  });
  rp = await discover(t.issuer, CONFIDENTIAL);
  kubernetes = await discover(t.issuer, KUBERNETES);
});
afterAll(() => t.stop());

describe('id_token_claims', () => {
  it('"scopes": the ID token and the refreshed one carry every claim of the granted scopes', async () => {
    const { tokens } = await signInAndRedeem(new Browser(), kubernetes, KUBERNETES.redirect_uris[0]!, 'ZhangSan', {
      scope: ALL_SCOPES,
      prompt: 'consent',
    });
    const expected = {
      name: '张三',
      preferred_username: 'ZhangSan',
      wecom_userid: 'ZhangSan',
      wecom_corpid: CORP_ID,
      department: [1, 2],
      groups: ['总部', '研发部'],
      email: 'zhangsan@corp.example.com',
      email_verified: false,
    };
    expect(tokens.claims()).toMatchObject(expected);
    const refreshed = await oidc.refreshTokenGrant(kubernetes, tokens.refresh_token!);
    expect(refreshed.claims()).toMatchObject(expected);
  });

  it('"scopes" releases only the granted scopes', async () => {
    const { tokens } = await signInAndRedeem(new Browser(), kubernetes, KUBERNETES.redirect_uris[0]!, 'ZhangSan', {
      scope: 'openid profile',
    });
    expect(tokens.claims()).toMatchObject({ name: '张三', preferred_username: 'ZhangSan' });
    expect(tokens.claims()).not.toHaveProperty('email');
    expect(tokens.claims()).not.toHaveProperty('groups');
  });

  it('"minimal" (the default): the ID token has no scope claims, before or after a refresh; userinfo has them', async () => {
    const { tokens } = await signInAndRedeem(new Browser(), rp, CONFIDENTIAL.redirect_uris[0]!, 'ZhangSan', {
      scope: ALL_SCOPES,
      prompt: 'consent',
    });
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    for (const claims of [tokens.claims()!, refreshed.claims()!]) {
      for (const claim of ['name', 'preferred_username', 'email', 'groups', 'wecom_userid', 'department']) {
        expect(claims).not.toHaveProperty(claim);
      }
      expect(claims.amr).toEqual(['wecom_qr']);
    }
    const userinfo = await oidc.fetchUserInfo(rp, refreshed.access_token, tokens.claims()!.sub);
    expect(userinfo).toMatchObject({ name: '张三', groups: ['总部', '研发部'], email: 'zhangsan@corp.example.com' });
  });
});

describe('a refreshed ID token (OIDC Core 12.2)', () => {
  it('carries no nonce, and the original sub, aud, azp, iss and auth_time', async () => {
    const { tokens, request } = await signInAndRedeem(new Browser(), rp, CONFIDENTIAL.redirect_uris[0]!, 'ZhangSan', {
      scope: 'openid offline_access',
      prompt: 'consent',
      max_age: '3600', // so the original ID token carries auth_time
    });
    const original = tokens.claims()!;
    expect(original.nonce).toBe(request.nonce);
    expect(original.auth_time).toBeTypeOf('number');
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a new iat, whole seconds

    const first = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    // a second refresh, with the rotated token where there is one
    const second = await oidc.refreshTokenGrant(rp, first.refresh_token ?? tokens.refresh_token!);
    for (const refreshed of [first.claims()!, second.claims()!]) {
      expect(refreshed).not.toHaveProperty('nonce');
      expect(refreshed.sub).toBe(original.sub);
      expect(refreshed.aud).toEqual(original.aud);
      expect(refreshed.azp).toEqual(original.azp);
      expect(refreshed.iss).toBe(original.iss);
      expect(refreshed.auth_time).toBe(original.auth_time);
      expect(refreshed.iat).toBeGreaterThan(original.iat);
    }
  });
});

describe('emailFallback', () => {
  it('gives a member without any e-mail the templated address, unverified, at userinfo', async () => {
    const { tokens } = await signInAndRedeem(new Browser(), rp, CONFIDENTIAL.redirect_uris[0]!, 'ZhangSan', { scope: 'openid email' });
    const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub);
    expect(userinfo).toMatchObject({ email: 'zhangsan@corp.example.com', email_verified: false });
  });

  it('keeps the address WeCom gave (biz_mail, verified) instead of the template', async () => {
    const { tokens } = await signInAndRedeem(new Browser(), rp, CONFIDENTIAL.redirect_uris[0]!, 'LiSi', { scope: 'openid email' });
    const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub);
    expect(userinfo).toMatchObject({ email: 'lisi@corp.example.com', email_verified: true });
  });

  it('keeps an imported address instead of the template, and never stores the template', async () => {
    // a fresh server, so ZhangSan has no account yet and claims the imported one
    const fresh = await startTestServer((raw) => {
      (raw.connections as Record<string, unknown>[])[0]!.emailFallback = { template: '{userid}@corp.example.com', verified: true };
    });
    try {
      await fresh.server.storage.accounts.createWithIdentity({
        id: 'imported-zhangsan',
        createdAt: 1,
        updatedAt: 1,
        disabled: false,
        provisioned: true,
        profile: { username: 'ZhangSan', email: 'zhang.san@example.org', emailVerified: false },
        identities: [],
      });
      const freshRp = await discover(fresh.issuer, CONFIDENTIAL);
      const { tokens } = await signInAndRedeem(new Browser(), freshRp, CONFIDENTIAL.redirect_uris[0]!, 'ZhangSan', { scope: 'openid email' });
      expect(tokens.claims()!.sub).toBe('imported-zhangsan');
      const userinfo = await oidc.fetchUserInfo(freshRp, tokens.access_token, tokens.claims()!.sub);
      expect(userinfo).toMatchObject({ email: 'zhang.san@example.org', email_verified: false });
      const stored = await fresh.server.storage.accounts.findById('imported-zhangsan');
      expect(stored!.profile.email).toBe('zhang.san@example.org');

      // LiSi has no address in a new app: the template, declared verified
      const lisi = await signInAndRedeem(new Browser(), freshRp, CONFIDENTIAL.redirect_uris[0]!, 'LiSi', { scope: 'openid email' });
      const lisiInfo = await oidc.fetchUserInfo(freshRp, lisi.tokens.access_token, lisi.tokens.claims()!.sub);
      expect(lisiInfo).toMatchObject({ email: 'lisi@corp.example.com', email_verified: true });
      expect((await fresh.server.storage.accounts.findById(lisi.tokens.claims()!.sub))!.profile.email).toBeUndefined();
    } finally {
      await fresh.stop();
    }
  });
});
