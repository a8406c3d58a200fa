/**
 * The demo relying party that `npm start` serves beside the provider: an ordinary web app that
 * signs in with openid-client (authorization code + PKCE, state, nonce), then shows the ID token
 * claims and the userinfo response, and signs out with RP-initiated logout. It talks to the
 * provider only over HTTP, exactly as Grafana or GitLab would.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa, { type Context } from 'koa';
import Router from '@koa/router';
import * as oidc from 'openid-client';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { renderDemoPage } from './page.js';

const SESSION_COOKIE = 'wecom_oidc_demo';
const SCOPE = 'openid profile email phone wecom offline_access';

interface DemoSession {
  pending?: { state: string; nonce: string; codeVerifier: string };
  signedIn?: { idToken: string; claims: Record<string, unknown>; userinfo: Record<string, unknown> };
  error?: string;
}

export interface DemoApp {
  url: string;
  close(): Promise<void>;
}

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

  // Sessions live in memory: the demo is a throwaway app, and restarting it signs you out of it.
  const sessions = new Map<string, DemoSession>();
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
    ctx.body = renderDemoPage({ issuer: config.issuer, ...session.signedIn, error: session.error });
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
      session.signedIn = { idToken: tokens.id_token ?? '', claims: { ...claims }, userinfo: { ...userinfo } };
    } catch (error) {
      const description = (error as { error_description?: string }).error_description;
      session.error = description ?? (error as Error).message;
      log.warn('demo sign-in failed', { error: session.error });
    }
    ctx.redirect('/');
  });

  router.post('/logout', (ctx) => {
    const session = sessionOf(ctx);
    const idToken = session.signedIn?.idToken;
    session.signedIn = undefined;
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
