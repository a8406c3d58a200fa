/**
 * GET /interaction/:uid — what oidc-provider needs from the person now: the login choice (one
 * button per WeCom connection the client offers; skipped when the app named one with
 * `connection=`), the bind choice (a verified member waiting to be linked), or consent. First-party clients never see consent: it is granted
 * here on the administrator's behalf (normally it never even comes up for them, see oidc/grants.ts;
 * this covers an explicit prompt=consent).
 */
import type { Context } from 'koa';
import type { Connection } from '../connections.js';
import { pickLang, translator, type MessageKey } from '../i18n/index.js';
import { isFirstParty } from '../oidc/client-metadata.js';
import { grantRequested } from './consent.js';
import { interactionPaths, type InteractionDeps, type InteractionDetails } from './context.js';
import { sendErrorPage } from './error-page.js';
import { finishInteraction } from './finish.js';
import { connectionsOffered } from './offered.js';
import { findPendingBinding, type PendingBinding } from './pending-binding.js';
import { redirectToWeCom } from './wecom-redirect.js';

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
      return showLogin(deps, ctx, details, clientName, offered);
    }
    case 'consent':
      if (isFirstParty(client)) {
        return finishInteraction(deps, ctx, { consent: { grantId: await grantRequested(provider, details) } }, true);
      }
      return showConsent(deps, ctx, details, clientName, typeof client?.logoUri === 'string' ? client.logoUri : undefined);
    default:
      return sendErrorPage(deps, ctx, details, { kind: 'problem', key: 'error.generic', status: 400 });
  }
}

function showLogin(
  deps: InteractionDeps,
  ctx: Context,
  details: InteractionDetails,
  clientName: string,
  offered: Connection[],
): void {
  const lang = pickLang(details.params.ui_locales, ctx.get('accept-language'));
  const t = translator(lang);
  const paths = interactionPaths(deps.basePath, details.uid);
  deps.pages.send(
    ctx,
    'login',
    {
      lang,
      title: t('login.title'),
      clientName,
      connections: offered.map((connection) => ({
        displayName: connection.displayName,
        startUrl: paths.start(connection.identifier),
      })),
      abortUrl: paths.abort,
    },
    { formTargets: [deps.qrLoginBase, String(details.params.redirect_uri ?? '')] },
  );
}

async function showBind(deps: InteractionDeps, ctx: Context, details: InteractionDetails, pending: PendingBinding) {
  const lang = pickLang(details.params.ui_locales, ctx.get('accept-language'));
  const t = translator(lang);
  const paths = interactionPaths(deps.basePath, details.uid);
  const origin = deps.connections.get(pending.connection);
  const proofs = (await connectionsOffered(deps, details)).filter((connection) => connection.identifier !== pending.connection);
  deps.pages.send(
    ctx,
    'bind',
    {
      lang,
      title: t('bind.title'),
      memberName: pending.member.name ?? pending.member.userid,
      proofs: proofs.map((connection) => ({ displayName: connection.displayName, url: paths.bindWith(connection.identifier) })),
      createUrl: origin && !origin.loginOnly ? paths.bindNew : undefined,
      abortUrl: paths.abort,
    },
    { formTargets: [deps.qrLoginBase, String(details.params.redirect_uri ?? '')] },
  );
}

async function showConsent(
  deps: InteractionDeps,
  ctx: Context,
  details: InteractionDetails,
  clientName: string,
  logoUri: string | undefined,
): Promise<void> {
  const lang = pickLang(details.params.ui_locales, ctx.get('accept-language'));
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
