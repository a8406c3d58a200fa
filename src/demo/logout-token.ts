/**
 * Checks a back-channel logout token as OpenID Connect Back-Channel Logout 1.0 §2.6 asks a relying
 * party to: signed by a key of the provider's JWKS, our issuer and client as iss and aud, recent, typed
 * `logout+jwt`, with the logout event, a `sub` or `sid`, and no `nonce`; a `jti` used once only.
 * The JOSE work is jose's.
 */
import * as jose from 'jose';

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** jtis remembered to refuse a replay; bounded, since anyone may post tokens here. */
const REMEMBERED_JTIS = 1_000;

export interface LogoutRequest {
  sub?: string;
  sid?: string;
}

export class LogoutTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogoutTokenError';
  }
}

export function logoutTokenVerifier(options: { issuer: string; clientId: string; jwksUri: string }) {
  const jwks = jose.createRemoteJWKSet(new URL(options.jwksUri));
  const seen = new Set<string>();

  return async function verifyLogoutToken(token: string): Promise<LogoutRequest> {
    let payload: jose.JWTPayload;
    try {
      ({ payload } = await jose.jwtVerify(token, jwks, {
        issuer: options.issuer,
        audience: options.clientId,
        typ: 'logout+jwt',
        maxTokenAge: '5 minutes',
        requiredClaims: ['iat', 'jti'],
      }));
    } catch (error) {
      throw new LogoutTokenError(`the logout token did not verify (${(error as Error).name})`);
    }
    const events = payload.events as Record<string, unknown> | undefined;
    if (!events || typeof events[LOGOUT_EVENT] !== 'object' || events[LOGOUT_EVENT] === null) {
      throw new LogoutTokenError('the logout token has no back-channel logout event');
    }
    if ('nonce' in payload) throw new LogoutTokenError('a logout token must not carry a nonce');
    const sub = typeof payload.sub === 'string' ? payload.sub : undefined;
    const sid = typeof payload.sid === 'string' ? payload.sid : undefined;
    if (!sub && !sid) throw new LogoutTokenError('the logout token names neither a sub nor a sid');
    const jti = String(payload.jti);
    if (seen.has(jti)) throw new LogoutTokenError('the logout token was used already');
    seen.add(jti);
    if (seen.size > REMEMBERED_JTIS) seen.delete(seen.values().next().value!);
    return { sub, sid };
  };
}
