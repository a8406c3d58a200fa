import { describe, expect, it } from 'vitest';
import { fallbackEmailFor, templatedEmail, templateProblem } from './email-fallback.js';

const identity = (userid: string, connection = 'wecom', corpId = 'wwcorp') => ({ corpId, userid, connection });

describe('emailFallback templates', () => {
  it('puts the lower-cased userid into the template', () => {
    expect(templatedEmail({ template: '{userid}@corp.example.com' }, 'ZhangSan')).toBe('zhangsan@corp.example.com');
    expect(templatedEmail({ template: 'wecom.{userid}@mail.example.com' }, 'Li.Si')).toBe('wecom.li.si@mail.example.com');
  });

  it('yields nothing where a userid cannot make a valid address', () => {
    expect(templatedEmail({ template: '{userid}@corp.example.com' }, 'a@b')).toBeUndefined();
  });

  it('accepts a template that yields an address, and says what is wrong with one that does not', () => {
    expect(templateProblem('{userid}@corp.example.com')).toBeUndefined();
    expect(templateProblem('everyone@corp.example.com')).toMatch(/exactly once/);
    expect(templateProblem('{userid}{userid}@corp.example.com')).toMatch(/exactly once/);
    expect(templateProblem('{userid}@{corp}.example.com')).toMatch(/only placeholder/);
    expect(templateProblem('admin@{userid}.example.com')).toMatch(/before the last "@"/);
    expect(templateProblem('{userid}')).toMatch(/before the last "@"/);
    expect(templateProblem('{userid}@localhost')).toMatch(/valid e-mail address/);
    expect(templateProblem('{userid} @corp.example.com')).toMatch(/valid e-mail address/);
  });
});

describe('fallbackEmailFor', () => {
  const connections = [
    { identifier: 'wecom', corpId: 'wwcorp', emailFallback: { template: '{userid}@corp.example.com' } },
    { identifier: 'ops', corpId: 'wwcorp', emailFallback: { template: '{userid}@ops.example.com', verified: true } },
    { identifier: 'plain', corpId: 'wwother' },
  ];

  it('uses the template of the connection that linked the identity, unverified unless declared so', () => {
    expect(fallbackEmailFor([identity('zhangsan')], connections)).toEqual({ email: 'zhangsan@corp.example.com', verified: false });
    expect(fallbackEmailFor([identity('zhangsan', 'ops')], connections)).toEqual({ email: 'zhangsan@ops.example.com', verified: true });
  });

  it('falls back to another connection of the same corp, and to nothing for a corp without a template', () => {
    expect(fallbackEmailFor([identity('zhangsan', 'removed')], connections)?.email).toBe('zhangsan@corp.example.com');
    expect(fallbackEmailFor([identity('zhangsan', 'plain', 'wwother')], connections)).toBeUndefined();
    expect(fallbackEmailFor([], connections)).toBeUndefined();
  });
});
