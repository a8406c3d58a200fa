/** The fields association may match a WeCom member to an existing account on, and how they compare. */
import type { AccountProfile } from './account.js';

/** The account fields association can match a WeCom member on. Never `name`: names are not unique. */
export const MATCH_FIELDS = ['username', 'email', 'phone_number'] as const;
export type MatchField = (typeof MATCH_FIELDS)[number];

/**
 * The comparable form of a match field's value, or undefined when there is nothing to compare.
 * Usernames and emails compare case-insensitively; phone numbers by their digits, with China's
 * +86 prefix dropped (WeCom reports mainland mobiles as 11 digits).
 */
export function matchKey(field: MatchField, value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (field === 'phone_number') {
    const digits = value.replace(/\D/g, '');
    const national = digits.length === 13 && digits.startsWith('86') ? digits.slice(2) : digits;
    return national || undefined;
  }
  const key = value.trim().toLowerCase();
  return key || undefined;
}

/** The value of a match field in a profile. */
export function profileMatchValue(profile: AccountProfile, field: MatchField): string | undefined {
  switch (field) {
    case 'username':
      return profile.username;
    case 'email':
      return profile.email;
    case 'phone_number':
      return profile.phoneNumber;
  }
}
