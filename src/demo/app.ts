/**
 * The demo relying party that `npm start` serves beside the provider: an ordinary web app that
 * signs in with openid-client (authorization code + PKCE, state, nonce), then shows the ID token
 * claims and the userinfo response, refreshes its tokens on request, and signs out with RP-initiated
 * logout. It registers a back-channel logout URI, so the provider can end its session (when an
 * employee is removed in WeCom, for one). It talks to the provider only over HTTP, exactly as
 * Grafana or GitLab would.
 */
import QuickLRU from 'quick-lru';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa, { type Context } from 'koa';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import * as oidc from 'openid-client';
import type { Config } from '../config/schema.js';
import type { Logger } from '../observability/log.js';
import { SIMULATOR_PATH } from '../wecom/index.js';
import { LogoutTokenError, logoutTokenVerifier, type LogoutRequest } from './logout-token.js';
import { renderDemoPage, type RefreshResult } from './page.js';

const SESSION_COOKIE = 'wecom_oidc_demo';
const SCOPE = 'openid profile email phone wecom offline_access';

/** Where the provider's logout tokens arrive when the client config names no other path. */
const BACKCHANNEL_PATH = '/backchannel-logout';

interface SignedIn {
  idToken: string;
  claims: Record<string, unknown>;
  userinfo: Record<string, unknown>;
  sub: string;
  /** The provider's session id (the client asks for it with backchannel_logout_session_required). */
  sid?: string;
  refreshToken?: string;
}

interface DemoSession {
  pending?: { state: string; nonce: string; codeVerifier: string };
  signedIn?: SignedIn;
  error?: string;
  /** The provider ended this session: by back-channel logout, or by refusing the refresh token. */
  ended?: { at: string; how: 'backchannel' | 'refresh_refused'; refreshToken?: string };
  lastRefresh?: RefreshResult;
}

/** Whether a logout token (sid, or sub alone for every session of that user) names this session. */
function namedBy(request: LogoutRequest, signedIn: SignedIn): boolean {
  if (request.sid && signedIn.sid) return request.sid === signedIn.sid;
  return request.sub !== undefined && request.sub === signedIn.sub;
}

const now = () => new Date().toISOString();

export interface DemoApp {
  url: string;
  close(): Promise<void>;
}

/** How many demo sessions are kept; the least recently used is forgotten first. */
export const DEMO_SESSIONS_KEPT = 1000;

export async function startDemo(config: Config, { log }: { log: Logger }): Promise<DemoApp> {
  const client = config.clients.find((c) => c.client_id === config.demo.clientId);
  if (!client) throw new Error(`demo.clientId "${config.demo.clientId}" is not among the configured clients`);
  const redirectUri = (client.redirect_uris as string[] | undefined)?.[0];
  const postLogoutRedirectUri = (client.post_logout_redirect_uris as string[] | undefined)?.[0];
  if (!redirectUri) throw new Error(`client "${client.client_id}" has no redirect_uris for the demo to use`);

  const issuer = new URL(config.issuer);
  const oidcConfig = await oidc.discovery(
    issuer,
    client.client_id,
    client.client_secret as string | undefined,
    undefined,
    issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined,
  );

  const clientId = client.client_id;
  const backchannelUri = client.backchannel_logout_uri as string | undefined;
  const jwksUri = oidcConfig.serverMetadata().jwks_uri;
  const verifyLogoutToken = jwksUri ? logoutTokenVerifier({ issuer: oidcConfig.serverMetadata().issuer, clientId, jwksUri }) : undefined;
  const directoryAdmin = config.simulator.enabled ? `${config.issuer.replace(/\/+$/, '')}${SIMULATOR_PATH}/directory` : undefined;

  // Sessions live in memory: the demo is a throwaway app, and restarting it signs you out of it.
  // Bounded (quick-lru keeps at most two generations of DEMO_SESSIONS_KEPT): every cookie-less
  // visit makes one, and nothing else ends them.
  const sessions = new QuickLRU<string, DemoSession>({ maxSize: DEMO_SESSIONS_KEPT });
  const sessionOf = (ctx: Context): DemoSession => {
    let id = ctx.cookies.get(SESSION_COOKIE, { signed: true });
    if (!id || !sessions.has(id)) {
      id = randomBytes(16).toString('base64url');
      sessions.set(id, {});
      ctx.cookies.set(SESSION_COOKIE, id, { signed: true, httpOnly: true, sameSite: 'lax' });
    }
    return sessions.get(id)!;
  };

  const router = new Router();
  router.get('/', (ctx) => {
    const session = sessionOf(ctx);
    ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' " + issuer.origin);
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = renderDemoPage({
      issuer: config.issuer,
      claims: session.signedIn?.claims,
      userinfo: session.signedIn?.userinfo,
      canRefresh: Boolean(session.signedIn?.refreshToken ?? session.ended?.refreshToken),
      ended: session.ended,
      lastRefresh: session.lastRefresh,
      backchannel: Boolean(backchannelUri),
      directoryAdmin,
      error: session.error,
    });
    session.error = undefined;
  });

  router.post('/login', async (ctx) => {
    const session = sessionOf(ctx);
    const pending = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
    session.pending = pending;
    const url = oidc.buildAuthorizationUrl(oidcConfig, {
      redirect_uri: redirectUri,
      scope: SCOPE,
      // offline_access (a refresh token) is only granted with prompt=consent; the demo client is
      // first-party, so no consent screen is actually shown.
      prompt: 'consent',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
    });
    ctx.status = 303;
    ctx.redirect(url.href);
  });

  router.get('/callback', async (ctx) => {
    const session = sessionOf(ctx);
    const pending = session.pending;
    session.pending = undefined;
    try {
      if (!pending) throw new Error('no sign-in in progress in this browser');
      const tokens = await oidc.authorizationCodeGrant(oidcConfig, new URL(ctx.href), {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
      });
      const claims = tokens.claims();
      if (!claims) throw new Error('the token response had no ID token');
      const userinfo = await oidc.fetchUserInfo(oidcConfig, tokens.access_token, claims.sub);
      session.signedIn = {
        idToken: tokens.id_token ?? '',
        claims: { ...claims },
        userinfo: { ...userinfo },
        sub: claims.sub,
        sid: typeof claims.sid === 'string' ? claims.sid : undefined,
        refreshToken: tokens.refresh_token,
      };
      session.ended = undefined;
      session.lastRefresh = undefined;
    } catch (error) {
      const description = (error as { error_description?: string }).error_description;
      session.error = description ?? (error as Error).message;
      log.warn('demo sign-in failed', { error: session.error });
    }
    ctx.redirect('/');
  });

  /**
   * Uses the refresh token, as an app does when its access token runs out, and shows the outcome:
   * new tokens, or the provider's refusal (then the session here ends too).
   */
  router.post('/refresh', async (ctx) => {
    const session = sessionOf(ctx);
    const refreshToken = session.signedIn?.refreshToken ?? session.ended?.refreshToken;
    ctx.status = 303;
    if (!refreshToken) return ctx.redirect('/');
    try {
      const tokens = await oidc.refreshTokenGrant(oidcConfig, refreshToken);
      if (session.signedIn) session.signedIn.refreshToken = tokens.refresh_token ?? refreshToken;
      session.lastRefresh = {
        ok: true,
        at: now(),
        details: {
          token_type: tokens.token_type,
          expires_in: tokens.expires_in,
          scope: tokens.scope,
          refresh_token: tokens.refresh_token ? 'a new one (rotated)' : 'kept',
          id_token_sub: tokens.claims()?.sub,
        },
      };
    } catch (error) {
      const { error: code, error_description: description } = error as { error?: string; error_description?: string };
      session.lastRefresh = { ok: false, at: now(), details: { error: code ?? (error as Error).message, error_description: description } };
      log.info('demo refresh refused', { error: code ?? (error as Error).name });
      if (code === 'invalid_grant' && session.signedIn) {
        session.ended = { at: now(), how: 'refresh_refused', refreshToken };
        session.signedIn = undefined;
      }
    }
    ctx.redirect('/');
  });

  // The provider posts here (server to server, no cookies) when a session of ours ends.
  router.post(
    backchannelUri ? new URL(backchannelUri).pathname : BACKCHANNEL_PATH,
    bodyParser({ enableTypes: ['form'], formLimit: '16kb' }),
    async (ctx) => {
      ctx.set('Cache-Control', 'no-store');
      const body = ctx.request.body as Record<string, unknown> | undefined;
      const token = typeof body?.logout_token === 'string' ? body.logout_token : undefined;
      if (!token || !verifyLogoutToken) {
        ctx.status = 400;
        ctx.body = { error: 'invalid_request', error_description: 'logout_token is required' };
        return;
      }
      let request: LogoutRequest;
      try {
        request = await verifyLogoutToken(token);
      } catch (error) {
        if (!(error instanceof LogoutTokenError)) throw error;
        log.warn('demo refused a back-channel logout', { reason: error.message });
        ctx.status = 400;
        ctx.body = { error: 'invalid_request', error_description: error.message };
        return;
      }
      let ended = 0;
      for (const session of sessions.values()) {
        if (!session.signedIn || !namedBy(request, session.signedIn)) continue;
        session.ended = { at: now(), how: 'backchannel', refreshToken: session.signedIn.refreshToken };
        session.signedIn = undefined;
        ended += 1;
      }
      log.info('demo back-channel logout', { sessionsEnded: ended, bySid: Boolean(request.sid) });
      ctx.status = 200;
    },
  );

  router.post('/logout', (ctx) => {
    const session = sessionOf(ctx);
    const idToken = session.signedIn?.idToken;
    session.signedIn = undefined;
    session.ended = undefined;
    session.lastRefresh = undefined;
    ctx.status = 303;
    if (!idToken) return ctx.redirect('/');
    const url = oidc.buildEndSessionUrl(oidcConfig, {
      id_token_hint: idToken,
      ...(postLogoutRedirectUri ? { post_logout_redirect_uri: postLogoutRedirectUri } : {}),
    });
    ctx.redirect(url.href);
  });

  const app = new Koa();
  app.keys = [randomBytes(32).toString('base64url')];
  app.use(router.routes());
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- koa's callback() answers its own errors (ctx.onerror); its promise never rejects
  const server = createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.demo.port, config.listen.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = new URL(redirectUri).origin.replace(/:\d+$/, `:${port}`);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
