/**
 * A connection's `emailFallback`: an address made from the member's userid, for apps that refuse a
 * user without an e-mail (Grafana ≥ 11.2) when WeCom gives none (every app created after
 * 2022-06-20 gets no e-mail from user/get).
 *
 * It is only ever a last resort, computed when the claims are released and never stored: an address
 * WeCom gave (biz_mail, or email via getuserdetail) or an administrator imported is always kept in
 * its place, so a template can never overwrite a real address, and never takes part in association.
 */
import { z } from 'zod';

export interface EmailFallback {
  /** e.g. `{userid}@corp.example.com`; `{userid}` is replaced by the lower-cased WeCom userid. */
  template: string;
  /** Whether a templated address is asserted as verified (`email_verified`); false unless set. */
  verified?: boolean;
}

export const USERID_PLACEHOLDER = '{userid}';

const emailAddress = z.email();

/** The address for `userid`, or undefined where the result is not a valid address (e.g. a userid with "@"). */
export function templatedEmail(fallback: EmailFallback, userid: string): string | undefined {
  const address = fallback.template.split(USERID_PLACEHOLDER).join(userid.toLowerCase());
  return emailAddress.safeParse(address).success ? address : undefined;
}

/** Why a template is unusable, or undefined when it is fine (checked at start-up). */
export function templateProblem(template: string): string | undefined {
  if (template.split(USERID_PLACEHOLDER).length !== 2) {
    return `must contain "${USERID_PLACEHOLDER}" exactly once, so that every member gets an address of their own`;
  }
  if (/[{}]/.test(template.replace(USERID_PLACEHOLDER, ''))) return `"${USERID_PLACEHOLDER}" is the only placeholder`;
  if (!template.slice(0, template.lastIndexOf('@')).includes(USERID_PLACEHOLDER)) {
    return `"${USERID_PLACEHOLDER}" must be in the part before the last "@"`;
  }
  if (!templatedEmail({ template }, 'zhangsan')) return 'must yield a valid e-mail address (e.g. "{userid}@corp.example.com")';
  return undefined;
}

/** What the fallback needs of a connection. */
export interface FallbackConnection {
  identifier: string;
  corpId: string;
  emailFallback?: EmailFallback;
}

interface IdentityLike {
  corpId: string;
  userid: string;
  connection: string;
}

/**
 * The templated address for an account that has none: from the connection that linked its WeCom
 * identity, or else from another connection to the same corp (the identity is the corp's member,
 * whichever app of the corp signed them in first).
 */
export function fallbackEmailFor(
  identities: readonly IdentityLike[],
  connections: readonly FallbackConnection[],
): { email: string; verified: boolean } | undefined {
  for (const identity of identities) {
    const linking = connections.find((c) => c.identifier === identity.connection && c.emailFallback);
    const sameCorp = connections.find((c) => c.corpId === identity.corpId && c.emailFallback);
    const fallback = (linking ?? sameCorp)?.emailFallback;
    const email = fallback && templatedEmail(fallback, identity.userid);
    if (fallback && email) return { email, verified: fallback.verified === true };
  }
  return undefined;
}
