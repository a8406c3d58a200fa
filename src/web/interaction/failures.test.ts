import { describe, expect, it } from 'vitest';
import { WeComError } from '../../wecom/index.js';
import { translator } from '../messages/index.js';
import { failurePage, type LoginFailure } from './failures.js';

const en = translator('en');
const zh = translator('zh-CN');

describe('how a failed sign-in reads to the person', () => {
  it.each<[LoginFailure | { kind: 'cancelled' }, number, string | undefined]>([
    [{ kind: 'cancelled' }, 200, undefined],
    [{ kind: 'code_invalid', errcode: 40029 }, 400, '40029'],
    [{ kind: 'non_member' }, 403, undefined],
    [{ kind: 'out_of_scope', errcode: 60011 }, 403, '60011'],
    [{ kind: 'member_not_found', errcode: 60111 }, 403, '60111'],
    [{ kind: 'account_disabled' }, 403, undefined],
    [{ kind: 'not_provisioned' }, 403, undefined],
    [{ kind: 'ambiguous_match' }, 409, undefined],
    [{ kind: 'no_account_to_bind' }, 404, undefined],
    [
      { kind: 'wecom_configuration', error: new WeComError(60020, 'user/get', 'not allow to access from your ip, from ip: 203.0.113.9') },
      502,
      '60020',
    ],
    [{ kind: 'wecom_unavailable', error: new WeComError(-1, 'gettoken') }, 503, undefined],
  ])('%o: status %i, code %s', (failure, status, code) => {
    const page = failurePage(failure, en);
    expect(page.status).toBe(status);
    expect(page.code).toBe(code);
    expect(page.message.length).toBeGreaterThan(10);
    // The same failure in Chinese reads differently, and neither names the server.
    expect(failurePage(failure, zh).message).not.toBe(page.message);
    expect(page.message).not.toContain('203.0.113.9');
  });

  it('only a configuration problem sends the person to an administrator', () => {
    expect(failurePage({ kind: 'wecom_configuration', error: new WeComError(40001, 'gettoken') }, en).askAdmin).toBe(true);
    expect(failurePage({ kind: 'wecom_unavailable', error: new WeComError(-1, 'gettoken') }, en).askAdmin).toBeUndefined();
  });

  it('names why an inactive member may not sign in, and falls back to the number for a status WeCom adds later', () => {
    expect(failurePage({ kind: 'member_inactive', status: 5, reason: 'left' }, en).message).toBe(en('error.member_left'));
    expect(failurePage({ kind: 'member_inactive', status: 2, reason: 'disabled' }, en).message).toBe(en('error.member_disabled'));
    expect(failurePage({ kind: 'member_inactive', status: 7 }, en).message).toBe(en('error.member_status', { status: 7 }));
  });
});
