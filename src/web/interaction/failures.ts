/**
 * How each failed sign-in reads to the person: status code, heading and message in the page's
 * language; for problems only an administrator can fix, "ask your administrator, quote the request
 * id" (the fix itself is logged under that id: it may name the server's egress IP). No stack
 * traces, no secrets, nothing about the server.
 */
import type { InactiveReason, MemberVerificationFailure } from '../../wecom/index.js';
import type { MessageKey, Translate } from '../messages/index.js';

/** Every way a sign-in can fail: WeCom's verdict on the member, or ours on their account. */
export type LoginFailure =
  | MemberVerificationFailure
  | { kind: 'account_disabled' }
  | { kind: 'not_provisioned' }
  | { kind: 'ambiguous_match' }
  | { kind: 'no_account_to_bind' };

export interface FailurePage {
  status: number;
  heading: MessageKey;
  message: string;
  /** The person should ask an administrator, quoting the request id (the explanation is in the log). */
  askAdmin?: boolean;
  code?: string;
}

const INACTIVE: Record<InactiveReason, MessageKey> = {
  disabled: 'error.member_disabled',
  not_activated: 'error.member_not_activated',
  left: 'error.member_left',
};

export function failurePage(failure: LoginFailure | { kind: 'cancelled' }, t: Translate): FailurePage {
  switch (failure.kind) {
    case 'cancelled':
      return { status: 200, heading: 'error.cancelled_title', message: t('error.cancelled') };
    case 'code_invalid':
      return { status: 400, heading: 'error.title', message: t('error.code_invalid'), code: String(failure.errcode) };
    case 'non_member':
      return { status: 403, heading: 'error.title', message: t('error.non_member') };
    case 'member_inactive': {
      const message = failure.reason ? t(INACTIVE[failure.reason]) : t('error.member_status', { status: failure.status });
      return { status: 403, heading: 'error.title', message };
    }
    case 'out_of_scope':
      return { status: 403, heading: 'error.title', message: t('error.out_of_scope'), code: String(failure.errcode) };
    case 'member_not_found':
      return { status: 403, heading: 'error.title', message: t('error.member_not_found'), code: String(failure.errcode) };
    case 'account_disabled':
      return { status: 403, heading: 'error.title', message: t('error.account_disabled') };
    case 'not_provisioned':
      return { status: 403, heading: 'error.title', message: t('error.not_provisioned') };
    case 'ambiguous_match':
      return { status: 409, heading: 'error.title', message: t('error.ambiguous_match') };
    case 'no_account_to_bind':
      return { status: 404, heading: 'error.title', message: t('error.no_account_to_bind') };
    case 'wecom_configuration':
      // The fix (e.g. 60020's egress IP to trust) is logged with this request's id and given by
      // `admin connections test`; the page shows no detail of the server.
      return {
        status: 502,
        heading: 'error.title',
        message: t('error.wecom_configuration'),
        askAdmin: true,
        code: String(failure.error.errcode),
      };
    case 'wecom_unavailable':
      return { status: 503, heading: 'error.title', message: t('error.wecom_unavailable') };
  }
}
