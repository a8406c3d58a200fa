/**
 * Where a member stands in WeCom right now, read with `user/get` (page 90196), which a self-built app
 * may always call for members in its visible scope: the one question revalidation, contact events and
 * the reconcile sweep all ask.
 */
import type { WeComApp, WeComClient } from './client.js';
import { WeComError, isWeComTransportError, type WeComTransportError } from './errors.js';
import type { WeComMember } from './responses.js';

/** user/get `status`: only 1 (active) may sign in. */
export const ACTIVE_MEMBER_STATUS = 1;

/** Why a member who is not active is not, by user/get `status`. */
export type InactiveReason = 'disabled' | 'not_activated' | 'left';
const INACTIVE_STATUS: Readonly<Record<number, InactiveReason>> = { 2: 'disabled', 4: 'not_activated', 5: 'left' };

/** The reason for an inactive `status`, or undefined for a status WeCom may add later. */
export function inactiveReason(status: number): InactiveReason | undefined {
  return INACTIVE_STATUS[status];
}

export type MemberStanding =
  | { standing: 'active'; member: WeComMember }
  /** Disabled, not activated or left (status 2, 4 or 5). */
  | { standing: 'inactive'; status: number }
  /** 60011: outside the app's visible scope now. */
  | { standing: 'out_of_scope' }
  /** 60111: no such member; a later member may be given the same userid. */
  | { standing: 'deleted' }
  /** WeCom could not say (unreachable, busy, or our configuration is wrong). */
  | { standing: 'unknown'; error: WeComError | WeComTransportError };

export async function readMemberStanding(wecom: WeComClient, app: WeComApp, userid: string): Promise<MemberStanding> {
  try {
    const member = await wecom.getMember(app, userid);
    return member.status === ACTIVE_MEMBER_STATUS ? { standing: 'active', member } : { standing: 'inactive', status: member.status };
  } catch (error) {
    if (isWeComTransportError(error)) return { standing: 'unknown', error };
    if (!(error instanceof WeComError)) throw error;
    if (error.means === 'out_of_scope') return { standing: 'out_of_scope' };
    if (error.means === 'member_not_found') return { standing: 'deleted' };
    return { standing: 'unknown', error };
  }
}
