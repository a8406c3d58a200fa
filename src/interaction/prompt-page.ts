/**
 * GET /interaction/:uid — what oidc-provider needs from the person now: the login choice (one
 * button per WeCom connection the client offers; skipped when the app named one with
 * `connection=`), the bind choice (a verified member waiting to be linked), or consent. First-party clients never see consent: it is granted
 * here on the administrator's behalf (normally it never even comes up for them, see oidc/grants.ts;
 * this covers an explicit prompt=consent).
 */
import type { Context } from 'koa';
import type { Connection } from '../connections.js';
import { translator, type MessageKey } from '../i18n/index.js';
import { isFirstParty } from '../oidc/client-metadata.js';
import { grantRequested } from './consent.js';
import { interactionPaths, langOf, type InteractionDeps, type InteractionDetails } from './context.js';
import { sendErrorPage } from './error-page.js';
import { finishInteraction } from './finish.js';
import { connectionsOffered } from './offered.js';
import { findPendingBinding, type PendingBinding } from './pending-binding.js';
import { loginMethodFor, redirectToWeCom } from './wecom-redirect.js';
import { issueLoginState } from './login-state.js';
import { WECOM_PANEL_ORIGIN } from '../wecom/index.js';

const DESCRIBED_SCOPES = new Set(['openid', 'profile', 'email', 'phone', 'wecom', 'offline_access']);

export async function showPrompt(deps: InteractionDeps, ctx: Context): Promise<void> {
  const { provider } = deps;
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const client = await provider.Client.find(String(details.params.client_id));
  const clientName = client?.clientName ?? String(details.params.client_id);

  switch (details.prompt.name) {
    case 'login': {
      const pending = await findPendingBinding(deps.models, details.uid);
      if (pending) return showBind(deps, ctx, details, pending);
      const offered = await connectionsOffered(deps, details);
      // `connection=` was validated against the client's connections when the request arrived.
      const named = offered.find((connection) => connection.identifier === details.params.connection);
      if (named) return redirectToWeCom(deps, ctx, details, named);
      // Inside the WeCom client with one connection: sign in silently, no page, no QR. (Its error
      // pages, and the choice page when there are several, offer the QR code.)
      const [only] = offered;
      if (offered.length === 1 && only && loginMethodFor(ctx, only) === 'in_client') return redirectToWeCom(deps, ctx, details, only);
      return showLogin(deps, ctx, details, clientName, offered);
    }
    case 'consent':
      if (isFirstParty(client)) {
        return finishInteraction(deps, ctx, details, { consent: { grantId: await grantRequested(provider, details) } }, true);
      }
      return showConsent(deps, ctx, details, clientName, typeof client?.logoUri === 'string' ? client.logoUri : undefined);
    default:
      return sendErrorPage(deps, ctx, details, { kind: 'problem', key: 'error.generic', status: 400 });
  }
}

async function showLogin(
  deps: InteractionDeps,
  ctx: Context,
  details: InteractionDetails,
  clientName: string,
  offered: Connection[],
): Promise<void> {
  const lang = langOf(ctx, details);
  const t = translator(lang);
  const paths = interactionPaths(deps.basePath, details.uid);
  const [only] = offered;
  const panel =
    deps.embeddedPanel && offered.length === 1 && only && loginMethodFor(ctx, only) === 'qr'
      ? await panelParams(deps, details, only, lang === 'en' ? 'en' : 'zh', details.params.display === 'popup')
      : undefined;
  deps.pages.send(
    ctx,
    'login',
    {
      lang,
      popup: details.params.display === 'popup',
      title: t('login.title'),
      clientName,
      connections: offered.map((connection) => ({
        displayName: connection.displayName,
        startUrl: paths.start(connection.identifier),
        qrUrl: loginMethodFor(ctx, connection) === 'in_client' ? paths.startQr(connection.identifier) : undefined,
      })),
      abortUrl: paths.abort,
      panel: panel && JSON.stringify(panel),
      wide: panel?.panel_size === 'middle',
    },
    {
      formTargets: [deps.qrLoginBase, deps.oauthBase, String(details.params.redirect_uri ?? '')],
      ...(panel ? { scripts: ['wecom-jssdk.js', 'login-panel.js'], frameSources: [WECOM_PANEL_ORIGIN] } : {}),
    },
  );
}

/**
 * What WeCom's JS SDK needs to show its QR panel for `connection`, with a state of its own (the
 * panel's scan comes back to the same callback as the full-page login, and is checked the same way).
 */
async function panelParams(
  deps: InteractionDeps,
  details: InteractionDetails,
  connection: Connection,
  lang: 'zh' | 'en',
  popup: boolean,
) {
  const state = await issueLoginState(
    deps.loginStates,
    { interactionUid: details.uid, connection: connection.identifier, method: 'qr' },
    details.exp,
    (deps.now ?? Date.now)(),
  );
  return {
    login_type: 'CorpApp',
    appid: connection.corpId,
    agentid: connection.agentId,
    redirect_uri: `${deps.issuer}${interactionPaths('', details.uid).callback(connection.identifier)}`,
    state,
    redirect_type: 'top',
    // WeCom lays the panel out at 480 px (middle) or 320 px (small); a popup window is narrow.
    panel_size: popup ? 'small' : 'middle',
    lang,
  };
}

async function showBind(deps: InteractionDeps, ctx: Context, details: InteractionDetails, pending: PendingBinding) {
  const lang = langOf(ctx, details);
  const t = translator(lang);
  const paths = interactionPaths(deps.basePath, details.uid);
  const origin = deps.connections.get(pending.connection);
  const proofs = (await connectionsOffered(deps, details)).filter((connection) => connection.identifier !== pending.connection);
  deps.pages.send(
    ctx,
    'bind',
    {
      lang,
      popup: details.params.display === 'popup',
      title: t('bind.title'),
      memberName: pending.member.name ?? pending.member.userid,
      proofs: proofs.map((connection) => ({ displayName: connection.displayName, url: paths.bindWith(connection.identifier) })),
      createUrl: origin && !origin.loginOnly ? paths.bindNew : undefined,
      abortUrl: paths.abort,
    },
    { formTargets: [deps.qrLoginBase, deps.oauthBase, String(details.params.redirect_uri ?? '')] },
  );
}

async function showConsent(
  deps: InteractionDeps,
  ctx: Context,
  details: InteractionDetails,
  clientName: string,
  logoUri: string | undefined,
): Promise<void> {
  const lang = langOf(ctx, details);
  const t = translator(lang);
  const paths = interactionPaths(deps.basePath, details.uid);
  const account = details.session ? await deps.accounts.findById(details.session.accountId) : undefined;
  const { missingOIDCClaims = [] } = details.prompt.details as { missingOIDCClaims?: string[] };
  const lines = String(details.params.scope ?? '')
    .split(' ')
    .filter((scope) => DESCRIBED_SCOPES.has(scope))
    .map((scope) => t(`scope.${scope}` as MessageKey));
  if (missingOIDCClaims.length) lines.push(t('scope.claims', { claims: missingOIDCClaims.join(', ') }));
  deps.pages.send(
    ctx,
    'consent',
    {
      lang,
      popup: details.params.display === 'popup',
      title: t('consent.title'),
      clientName,
      logoUri,
      scopes: lines,
      accountName: account?.profile.name ?? account?.profile.username,
      confirmUrl: paths.consent,
      abortUrl: paths.abort,
    },
    { formTargets: [String(details.params.redirect_uri ?? '')], imageSources: logoUri ? [logoUri] : [] },
  );
}
