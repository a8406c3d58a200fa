/**
 * How each failed sign-in reads to the person: status code, heading, message, and (for problems
 * only an administrator can fix) the fix, in the page's language. No stack traces, no secrets:
 * WeComError.describe() is built from our own errcode table, never from WeCom's errmsg.
 */
import type { Lang, MessageKey, Translate } from '../i18n/index.js';
import type { LoginFailure } from './wecom-login.js';

export interface FailurePage {
  status: number;
  heading: MessageKey;
  message: string;
  adminMessage?: string;
  code?: string;
}

const INACTIVE: Record<number, MessageKey> = {
  2: 'error.member_disabled',
  4: 'error.member_not_activated',
  5: 'error.member_left',
};

export function failurePage(failure: LoginFailure | { kind: 'cancelled' }, t: Translate, lang: Lang): FailurePage {
  switch (failure.kind) {
    case 'cancelled':
      return { status: 200, heading: 'error.cancelled_title', message: t('error.cancelled') };
    case 'code_invalid':
      return { status: 400, heading: 'error.title', message: t('error.code_invalid'), code: '40029' };
    case 'non_member':
      return { status: 403, heading: 'error.title', message: t('error.non_member') };
    case 'member_inactive': {
      const key = INACTIVE[failure.status];
      const message = key ? t(key) : t('error.member_status', { status: failure.status });
      return { status: 403, heading: 'error.title', message };
    }
    case 'out_of_scope':
      return { status: 403, heading: 'error.title', message: t('error.out_of_scope'), code: '60011' };
    case 'member_not_found':
      return { status: 403, heading: 'error.title', message: t('error.member_not_found'), code: '60111' };
    case 'account_disabled':
      return { status: 403, heading: 'error.title', message: t('error.account_disabled') };
    case 'not_provisioned':
      return { status: 403, heading: 'error.title', message: t('error.not_provisioned') };
    case 'ambiguous_match':
      return { status: 409, heading: 'error.title', message: t('error.ambiguous_match') };
    case 'no_account_to_bind':
      return { status: 404, heading: 'error.title', message: t('error.no_account_to_bind') };
    case 'wecom_configuration':
      return {
        status: 502,
        heading: 'error.title',
        message: t('error.wecom_configuration'),
        adminMessage: failure.error.describe(lang),
        code: String(failure.error.errcode),
      };
    case 'wecom_unavailable':
      return { status: 503, heading: 'error.title', message: t('error.wecom_unavailable') };
  }
}
