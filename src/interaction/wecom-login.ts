/**
 * Turns a WeCom login code into one of our accounts, or into the reason it cannot be.
 *
 * The order follows the contract: redeem the code (auth/getuserinfo); refuse a non-member
 * (`openid`); read the member (user/get), which also enforces the app's visible scope (60011) and
 * catches deleted members (60111); refuse any status but 1 (active); then find or create the
 * account.
 */
import type { AccountService } from '../accounts/service.js';
import type { Connection } from '../connections.js';
import type { Logger } from '../log.js';
import type { Account } from '../storage/types.js';
import { WeComError, isWeComTransportError, toMemberProfile, type WeComClient, type WeComTransportError } from '../wecom/index.js';

export type LoginFailure =
  | { kind: 'code_invalid' }
  | { kind: 'non_member' }
  | { kind: 'member_inactive'; status: number }
  | { kind: 'out_of_scope' }
  | { kind: 'member_not_found' }
  | { kind: 'account_disabled' }
  | { kind: 'wecom_configuration'; error: WeComError }
  | { kind: 'wecom_unavailable'; error: WeComError | WeComTransportError };

export type LoginOutcome = { ok: true; account: Account } | { ok: false; failure: LoginFailure };

/** WeCom member status: only 1 (active) may sign in; 2 disabled, 4 not activated, 5 left. */
const ACTIVE = 1;

export async function completeWeComLogin(
  deps: { wecom: WeComClient; accounts: AccountService; log: Logger },
  connection: Connection,
  code: string,
): Promise<LoginOutcome> {
  try {
    const identity = await deps.wecom.exchangeLoginCode(connection.app, code);
    if (identity.kind !== 'member') return { ok: false, failure: { kind: 'non_member' } };

    const member = await deps.wecom.getMember(connection.app, identity.userid);
    if (member.status !== ACTIVE) return { ok: false, failure: { kind: 'member_inactive', status: member.status } };

    const outcome = await deps.accounts.signInWithWeCom({
      connection: connection.identifier,
      corpId: connection.corpId,
      member: toMemberProfile(member),
    });
    if (outcome.status === 'refused') return { ok: false, failure: { kind: 'account_disabled' } };
    return { ok: true, account: outcome.account };
  } catch (error) {
    return { ok: false, failure: classify(error, deps.log, connection.identifier) };
  }
}

function classify(error: unknown, log: Logger, connection: string): LoginFailure {
  if (isWeComTransportError(error)) return { kind: 'wecom_unavailable', error };
  if (!(error instanceof WeComError)) throw error;
  switch (error.errcode) {
    case 40029:
      return { kind: 'code_invalid' };
    case 60011:
      return { kind: 'out_of_scope' };
    case 60111:
      return { kind: 'member_not_found' };
  }
  if (error.category === 'busy' || error.category === 'rate_limit' || error.category === 'token') {
    return { kind: 'wecom_unavailable', error };
  }
  log.error('WeCom sign-in failed on a configuration problem', {
    connection,
    api: error.api,
    errcode: error.errcode,
    hint: error.describe('en'),
  });
  return { kind: 'wecom_configuration', error };
}
