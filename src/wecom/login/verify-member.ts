/**
 * Turns a WeCom login code into a verified, active member of the connection's corp, or into the
 * reason it cannot be.
 *
 * The order follows the contract: redeem the code (auth/getuserinfo); refuse a non-member
 * (`openid`); read the member (user/get), which also enforces the app's visible scope (60011) and
 * catches deleted members (60111); refuse any status but 1 (active). Which account the member then
 * signs in to is the accounts layer's decision, not this one's.
 */
import type { Logger } from '../../observability/log.js';
import type { DepartmentNames } from '../api/department-names.js';
import { WeComError, isWeComTransportError, type WeComTransportError } from '../api/errors.js';
import type { WeComClient } from '../api/client.js';
import { ACTIVE_MEMBER_STATUS, inactiveReason, type InactiveReason } from '../api/member-standing.js';
import { toMemberProfile, type MemberProfile } from '../api/profile.js';
import type { Connection } from '../connections.js';

/** Why a login code did not give an active member of the connection's corp. */
export type MemberVerificationFailure =
  | { kind: 'code_invalid'; errcode: number }
  | { kind: 'non_member' }
  | { kind: 'member_inactive'; status: number; reason?: InactiveReason }
  | { kind: 'out_of_scope'; errcode: number }
  | { kind: 'member_not_found'; errcode: number }
  | { kind: 'wecom_configuration'; error: WeComError }
  | { kind: 'wecom_unavailable'; error: WeComError | WeComTransportError };

export interface VerifiedMember {
  member: MemberProfile;
  /** Department names (ids where unreadable), for the groups claim. */
  groups: string[];
}

export type VerifyOutcome = { ok: true; verified: VerifiedMember } | { ok: false; failure: MemberVerificationFailure };

export async function verifyLoginCode(
  deps: { wecom: WeComClient; departmentNames: DepartmentNames; log: Logger },
  connection: Connection,
  code: string,
): Promise<VerifyOutcome> {
  try {
    const identity = await deps.wecom.exchangeLoginCode(connection.app, code);
    if (identity.kind !== 'member') return { ok: false, failure: { kind: 'non_member' } };

    const member = await deps.wecom.getMember(connection.app, identity.userid);
    if (member.status !== ACTIVE_MEMBER_STATUS) {
      const reason = inactiveReason(member.status);
      return { ok: false, failure: { kind: 'member_inactive', status: member.status, ...(reason ? { reason } : {}) } };
    }

    // In-client snsapi_privateinfo: the member consented to share contact details (email, mobile,
    // avatar, gender), which user/get no longer gives apps created after 2022-06-20.
    const detail = identity.userTicket ? await readDetail(deps, connection, identity.userTicket) : undefined;
    const groups = await deps.departmentNames.names(connection.app, member.department);
    return { ok: true, verified: { member: toMemberProfile(member, detail), groups } };
  } catch (error) {
    return { ok: false, failure: classify(error, deps.log, connection.identifier) };
  }
}

/** Contact details are a bonus: if WeCom will not give them now, the sign-in goes on without. */
async function readDetail(deps: { wecom: WeComClient; log: Logger }, connection: Connection, userTicket: string) {
  try {
    return await deps.wecom.getUserDetail(connection.app, userTicket);
  } catch (error) {
    deps.log.warn('could not read the consented member details; signing in without them', {
      connection: connection.identifier,
      errcode: error instanceof WeComError ? error.errcode : undefined,
    });
    return undefined;
  }
}

function classify(error: unknown, log: Logger, connection: string): MemberVerificationFailure {
  if (isWeComTransportError(error)) return { kind: 'wecom_unavailable', error };
  if (!(error instanceof WeComError)) throw error;
  switch (error.means) {
    case 'login_code_spent':
      return { kind: 'code_invalid', errcode: error.errcode };
    case 'out_of_scope':
      return { kind: 'out_of_scope', errcode: error.errcode };
    case 'member_not_found':
      return { kind: 'member_not_found', errcode: error.errcode };
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
