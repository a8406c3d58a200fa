/**
 * Finding the existing account a new WeCom member should be linked to, per the connection's
 * association policy. Only fields WeCom actually returned for this member take part, `name` never
 * does (names are not unique), and an account already linked to another member of the same corp is
 * never a candidate (that would merge two people). More than one candidate is not a guess: it is
 * reported, and nothing is linked.
 */
import type { Account, AccountStore, MatchField } from '../model/index.js';
import type { MemberProfile } from '../wecom/index.js';

export type MatchResult =
  { status: 'none' } | { status: 'one'; account: Account; field: MatchField } | { status: 'ambiguous'; field: MatchField; candidates: string[] };

export function memberMatchValue(member: MemberProfile, field: MatchField): string | undefined {
  switch (field) {
    case 'username':
      return member.userid;
    case 'email':
      return member.email;
    case 'phone_number':
      return member.phoneNumber;
  }
}

export async function findMatchingAccount(
  accounts: AccountStore,
  corpId: string,
  member: MemberProfile,
  fields: readonly MatchField[],
  /** Extra condition on a candidate (e.g. "was provisioned"); all candidates pass by default. */
  accept: (account: Account) => boolean = () => true,
): Promise<MatchResult> {
  for (const field of fields) {
    const value = memberMatchValue(member, field);
    if (!value) continue;
    const candidates = (await accounts.findByMatchField(field, value)).filter(
      (account) => accept(account) && !account.identities.some((identity) => identity.corpId === corpId),
    );
    if (candidates.length === 1) return { status: 'one', account: candidates[0]!, field };
    if (candidates.length > 1) return { status: 'ambiguous', field, candidates: candidates.map((account) => account.id) };
  }
  return { status: 'none' };
}
