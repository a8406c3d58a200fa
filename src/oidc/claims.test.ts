import { describe, expect, it } from 'vitest';
import type { Account } from '../model/index.js';
import { accountClaims, claimsForUse, type ClaimsPolicy } from './claims.js';

const policy: ClaimsPolicy = {
  groupsClaim: 'groups',
  connections: [{ identifier: 'wecom', corpId: 'wwcorp', emailFallback: { template: '{userid}@corp.example.com' } }],
};

function account(profile: Partial<Account['profile']> = {}): Account {
  return {
    id: 'opaque-sub',
    createdAt: 1,
    updatedAt: 2,
    disabled: false,
    profile: { username: 'ZhangSan', corpId: 'wwcorp', name: '张三', groups: ['研发部'], ...profile },
    identities: [{ corpId: 'wwcorp', userid: 'zhangsan', connection: 'wecom', linkedAt: 1 }],
  };
}

describe('accountClaims and the e-mail fallback', () => {
  it('gives a member without any e-mail the templated address, unverified', () => {
    expect(accountClaims(account(), policy)).toMatchObject({ email: 'zhangsan@corp.example.com', email_verified: false });
  });

  it('never puts the template in place of an address WeCom gave or the administrator imported', () => {
    const fromWeCom = accountClaims(account({ email: 'zs@corp.example.com', emailVerified: true }), policy);
    expect(fromWeCom).toMatchObject({ email: 'zs@corp.example.com', email_verified: true });
    const imported = accountClaims(account({ email: 'zhang.san@example.org', emailVerified: false }), policy);
    expect(imported).toMatchObject({ email: 'zhang.san@example.org', email_verified: false });
  });

  it('gives no e-mail claim at all without a template', () => {
    const claims = accountClaims(account(), { groupsClaim: 'groups', connections: [{ identifier: 'wecom', corpId: 'wwcorp' }] });
    expect(claims).not.toHaveProperty('email');
    expect(claims).not.toHaveProperty('email_verified');
  });
});

describe('claimsForUse', () => {
  const all = accountClaims(account(), policy);

  it("keeps a minimal client's ID token to sub and what the claims parameter asked for", () => {
    expect(claimsForUse(all, 'id_token', 'minimal', undefined)).toEqual({ sub: 'opaque-sub' });
    expect(claimsForUse(all, 'id_token', 'minimal', { name: null, nonexistent: null })).toEqual({ sub: 'opaque-sub', name: '张三' });
  });

  it('gives a scopes client, and every userinfo response, all the claims', () => {
    expect(claimsForUse(all, 'id_token', 'scopes', undefined)).toBe(all);
    expect(claimsForUse(all, 'userinfo', 'minimal', undefined)).toBe(all);
  });
});
