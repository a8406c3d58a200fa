import { describe, expect, it } from 'vitest';
import { WeComError } from '../../wecom/index.js';
import { ABORT_OUTCOMES, abortResult, outcomeOf } from './outcomes.js';

describe('how a sign-in ended, as the app hears it', () => {
  it.each([['non_member'], ['out_of_scope'], ['member_not_found'], ['account_disabled'], ['not_provisioned'], ['ambiguous_match']] as const)(
    '%s is a refusal',
    (kind) => {
      expect(outcomeOf({ kind, errcode: 60011 })).toBe('refused');
    },
  );

  it('tells a refusal from a cancel, a failure and a WeCom problem', () => {
    expect(outcomeOf({ kind: 'member_inactive', status: 5 })).toBe('refused');
    expect(outcomeOf({ kind: 'cancelled' })).toBe('cancelled');
    expect(outcomeOf({ kind: 'code_invalid', errcode: 40029 })).toBe('failed');
    expect(outcomeOf({ kind: 'problem', key: 'error.state_unknown', status: 400 })).toBe('failed');
    const error = new WeComError(40001, 'gettoken');
    expect(outcomeOf({ kind: 'wecom_configuration', error })).toBe('misconfigured');
    expect(outcomeOf({ kind: 'wecom_unavailable', error })).toBe('unavailable');
  });

  it('answers access_denied with a fixed ASCII sentence; anything unknown reads as a cancel', () => {
    for (const description of Object.values(ABORT_OUTCOMES)) expect(description).toMatch(/^[\x20-\x7e]+$/);
    expect(abortResult('refused')).toEqual({ error: 'access_denied', error_description: ABORT_OUTCOMES.refused });
    for (const odd of [undefined, '', 'toString', '__proto__', ['refused'], '<b>']) {
      expect(abortResult(odd)).toEqual({ error: 'access_denied', error_description: 'End-User aborted interaction' });
    }
  });
});
