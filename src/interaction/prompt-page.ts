/**
 * GET /interaction/:uid — what oidc-provider needs from the person now: the login choice (one
 * button per WeCom connection the client offers; skipped when the app named one with
 * `connection=`), the bind choice (a verified member waiting to be linked), or consent. First-party clients never see consent: it is granted
 * here on the administrator's behalf (normally it never even comes up for them, see oidc/grants.ts;
 * this covers an explicit prompt=consent).
 */
import type { Context } from 'koa';
import type { Connection } from '../connections.js';
import { localize, translator, type Lang, type MessageKey } from '../i18n/index.js';
import { clientDisplayName, isFirstParty } from '../oidc/client-metadata.js';
import { grantRequested } from './consent.js';
import { interactionPaths, pageLang, type InteractionDeps, type InteractionDetails } from './context.js';
import { sendErrorPage } from './error-page.js';
import { finishInteraction } from './finish.js';
import { connectionsOffered } from './offered.js';
import { findPendingBinding, type PendingBinding } from './pending-binding.js';
import { loginMethodFor, redirectToWeCom } from './wecom-redirect.js';
import { issueLoginState } from './login-state.js';
import { showPhonePage } from './phone-page.js';
import { isMobileBrowser, isWeComClient } from './user-agent.js';

const DESCRIBED_SCOPES = new Set(['openid', 'profile', 'email', 'phone', 'wecom', 'offline_access']);

export async function showPrompt(deps: InteractionDeps, ctx: Context): Promise<void> {
  const { provider } = deps;
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const client = await provider.Client.find(String(details.params.client_id));
  const clientName = (lang: Lang) => clientDisplayName(client, String(details.params.client_id), lang);

  switch (details.prompt.name) {
    case 'login': {
      // Only a connection that asks the person (association `bind`) leaves a pending binding, so
      // without one the look (a storage round trip on every login page) is not made.
      const asksPerson = deps.connections.list().some((connection) => connection.association.mode === 'bind');
      const pending = asksPerson ? await findPendingBinding(deps.models, details.uid) : undefined;
      if (pending) return showBind(deps, ctx, details, pending);
      const offered = await connectionsOffered(deps, details);
      // A phone's own browser cannot scan the QR code on its screen: say how to go on instead
      // (unless the person asked for the QR code anyway).
      const userAgent = ctx.get('user-agent');
      if (isMobileBrowser(userAgent) && !isWeComClient(userAgent) && ctx.query.via !== 'qr') {
        return showPhonePage(deps, ctx, details, client, clientName, offered);
      }
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

/**
 * The login page. On a PC browser WeCom's QR panel of the first offered connection is the page's
 * main content (the others are buttons below it); its button stays too, as the way in when the
 * panel cannot load (login-panel.js then removes the panel).
 */
async function showLogin(
  deps: InteractionDeps,
  ctx: Context,
  details: InteractionDetails,
  clientName: (lang: Lang) => string,
  offered: Connection[],
): Promise<void> {
  const langFields = pageLang(ctx, details, deps.basePath);
  const { lang } = langFields;
  const t = translator(lang);
  const paths = interactionPaths(deps.basePath, details.uid);
  const [first] = offered;
  const panel =
    deps.embeddedPanel && first && loginMethodFor(ctx, first) === 'qr'
      ? await panelParams(deps, details, first, lang === 'en' ? 'en' : 'zh', details.params.display === 'popup')
      : undefined;
  deps.pages.send(
    ctx,
    'login',
    {
      ...langFields,
      popup: details.params.display === 'popup',
      title: t('login.title'),
      clientName: clientName(lang),
      connections: offered.map((connection) => ({
        displayName: localize(connection.displayName, lang),
        startUrl: paths.start(connection.identifier),
        qrUrl: loginMethodFor(ctx, connection) === 'in_client' ? paths.startQr(connection.identifier) : undefined,
      })),
      abortUrl: paths.abort,
      panel: panel && JSON.stringify(panel),
      panelOrigin: deps.panelOrigin,
      wide: panel?.panel_size === 'middle',
    },
    {
      formTargets: [deps.qrLoginBase, deps.oauthBase, String(details.params.redirect_uri ?? '')],
      ...(panel ? { scripts: ['wecom-jssdk.js', 'login-panel.js'], frameSources: [deps.panelOrigin] } : {}),
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
  const langFields = pageLang(ctx, details, deps.basePath);
  const { lang } = langFields;
  const t = translator(lang);
  const paths = interactionPaths(deps.basePath, details.uid);
  const origin = deps.connections.get(pending.connection);
  const proofs = (await connectionsOffered(deps, details)).filter((connection) => connection.identifier !== pending.connection);
  deps.pages.send(
    ctx,
    'bind',
    {
      ...langFields,
      popup: details.params.display === 'popup',
      title: t('bind.title'),
      memberName: pending.member.name ?? pending.member.userid,
      proofs: proofs.map((connection) => ({ displayName: localize(connection.displayName, lang), url: paths.bindWith(connection.identifier) })),
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
  clientName: (lang: Lang) => string,
  logoUri: string | undefined,
): Promise<void> {
  const langFields = pageLang(ctx, details, deps.basePath);
  const { lang } = langFields;
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
      ...langFields,
      popup: details.params.display === 'popup',
      title: t('consent.title'),
      clientName: clientName(lang),
      logoUri,
      scopes: lines,
      accountName: account?.profile.name ?? account?.profile.username,
      confirmUrl: paths.consent,
      abortUrl: paths.abort,
    },
    { formTargets: [String(details.params.redirect_uri ?? '')], imageSources: logoUri ? [logoUri] : [] },
  );
}
