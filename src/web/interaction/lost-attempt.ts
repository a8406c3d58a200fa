/**
 * A request under /interaction/:uid that oidc-provider no longer recognises (SessionNotFound): the
 * attempt is finished, expired, or was never this browser's. No page of ours may be a dead end, so:
 *
 * - a finished attempt we remember (Back, reload, or a re-scanned stale QR code after signing in):
 *   the person is sent on to the app, where they are signed in (or can start again);
 * - an attempt still running in another browser: the "expired" page, with a link to the app;
 * - anything else: the "expired" page, with a link to our landing page.
 *
 * Nobody is signed in here and no code is issued: the only thing revealed is the app's address.
 */
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { interactionPaths, type InteractionDeps } from './context.js';
import { sendErrorPage } from './error-page.js';
import { findFinished } from './finished-attempts.js';

export async function answerLostAttempt(deps: InteractionDeps, ctx: Context): Promise<void> {
  const uid = uidOf(deps.basePath, ctx.path);
  const finished = uid ? await findFinished(deps.models, uid) : undefined;
  if (finished) {
    const home = await appHome(deps.provider, finished.clientId, finished.redirectUri);
    if (home) {
      ctx.status = 303;
      return ctx.redirect(home);
    }
  }
  const live = uid ? await deps.provider.Interaction.find(uid) : undefined;
  const appUrl = live ? await appHome(deps.provider, String(live.params.client_id), String(live.params.redirect_uri)) : undefined;
  sendErrorPage(deps, ctx, undefined, { kind: 'problem', key: 'error.interaction_expired', status: 400 }, { app: appUrl });
}

/**
 * Where "the app" is for a person: the client's registered `client_uri` (its home page, OIDC
 * Registration 2), else the origin of the redirect_uri the attempt used.
 */
export async function appHome(provider: Provider, clientId: string, redirectUri: string): Promise<string | undefined> {
  const client = await provider.Client.find(clientId);
  if (!client) return undefined;
  const clientUri = client.metadata().client_uri;
  if (typeof clientUri === 'string' && isWebUrl(clientUri)) return clientUri;
  if (!client.redirectUriAllowed(redirectUri) || !isWebUrl(redirectUri)) return undefined;
  return `${new URL(redirectUri).origin}/`;
}

function isWebUrl(value: string): boolean {
  return URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
}

function uidOf(basePath: string, path: string): string | undefined {
  const prefix = `${interactionPaths(basePath, '').root}`;
  if (!path.startsWith(prefix)) return undefined;
  const uid = decodeURIComponent(path.slice(prefix.length).split('/')[0] ?? '');
  return /^[\w-]{1,64}$/.test(uid) ? uid : undefined;
}
