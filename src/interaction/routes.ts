/**
 * The /interaction routes that oidc-provider sends browsers to (devInteractions is off).
 *
 * Everything lives under /interaction/:uid, including the WeCom callback, because oidc-provider's
 * interaction cookie is scoped to that path: the callback then proves it is the same browser that
 * started the sign-in. Forms carry no data (everything is in the path) and the cookie is
 * SameSite=Lax, so a cross-site POST cannot act on someone's interaction.
 */
import Router from '@koa/router';
import { errors } from 'oidc-provider';
import type { Context, Next } from 'koa';
import { pickLang, translator } from '../i18n/index.js';
import { buildQrLoginUrl } from '../wecom/index.js';
import { interactionPaths, uiLocales, type InteractionDeps, type InteractionDetails } from './context.js';
import { checkLoginState, issueLoginState } from './login-state.js';
import { completeWeComLogin, type LoginFailure } from './wecom-login.js';
import { failurePage } from './failures.js';
import { grantRequested } from './consent.js';
import { isFirstParty } from '../oidc/client-metadata.js';

export function interactionRouter(deps: InteractionDeps): Router {
  const { provider, pages, connections, log } = deps;
  const now = deps.now ?? Date.now;
  const router = new Router({ prefix: `${deps.basePath}/interaction` });

  /** Hands the result to oidc-provider and sends the browser on (303, so a POST becomes a GET). */
  const finish = async (ctx: Context, result: Parameters<typeof provider.interactionResult>[2], merge: boolean) => {
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: merge });
    ctx.status = 303;
    ctx.redirect(returnTo);
  };

  const langOf = (ctx: Context, details?: InteractionDetails) =>
    pickLang(details ? uiLocales(details) : undefined, ctx.get('accept-language'));

  /** Where the app expects answers; a form that ends there must be allowed by the page's CSP. */
  const redirectTarget = (details: InteractionDetails) => [String(details.params.redirect_uri ?? '')];

  const showError = (
    ctx: Context,
    details: InteractionDetails | undefined,
    failure: LoginFailure | { kind: 'cancelled' },
    retryConnection?: string,
  ) => {
    const lang = langOf(ctx, details);
    const t = translator(lang);
    const page = failurePage(failure, t, lang);
    const paths = details ? interactionPaths(deps.basePath, details.uid) : undefined;
    pages.send(
      ctx,
      'error',
      {
        lang,
        title: t(page.heading),
        heading: t(page.heading),
        message: page.message,
        adminMessage: page.adminMessage,
        code: page.code,
        retryUrl: paths && retryConnection ? paths.start(retryConnection) : undefined,
        abortUrl: paths?.abort,
      },
      { status: page.status, formTargets: details ? [deps.qrLoginBase, ...redirectTarget(details)] : [] },
    );
  };

  const showProblem = (ctx: Context, details: InteractionDetails | undefined, key: Parameters<ReturnType<typeof translator>>[0], status: number, retryConnection?: string) => {
    const lang = langOf(ctx, details);
    const t = translator(lang);
    const paths = details ? interactionPaths(deps.basePath, details.uid) : undefined;
    pages.send(
      ctx,
      'error',
      {
        lang,
        title: t('error.title'),
        heading: t('error.title'),
        message: t(key),
        retryUrl: paths && retryConnection ? paths.start(retryConnection) : paths?.root,
        abortUrl: paths?.abort,
      },
      { status, formTargets: details ? [deps.qrLoginBase, ...redirectTarget(details)] : [] },
    );
  };

  /** An interaction that is gone (expired, or this browser never had it) gets a page, not a stack trace. */
  router.use(async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (error) {
      if (error instanceof errors.SessionNotFound) {
        showProblem(ctx, undefined, 'error.interaction_expired', 400);
        return;
      }
      log.error('interaction failed', { path: ctx.path, error: error instanceof Error ? error.name : 'unknown', message: error instanceof Error ? error.message : undefined });
      showProblem(ctx, undefined, 'error.generic', 500);
    }
  });

  router.get('/:uid', async (ctx) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const client = await provider.Client.find(String(details.params.client_id));
    const lang = langOf(ctx, details);
    const t = translator(lang);
    const paths = interactionPaths(deps.basePath, details.uid);
    const clientName = client?.clientName ?? String(details.params.client_id);

    if (details.prompt.name === 'login') {
      pages.send(
        ctx,
        'login',
        {
          lang,
          title: t('login.title'),
          clientName,
          connections: connections.list().map((connection) => ({
            displayName: connection.displayName,
            startUrl: paths.start(connection.identifier),
          })),
          abortUrl: paths.abort,
        },
        { formTargets: [deps.qrLoginBase, ...redirectTarget(details)] },
      );
      return;
    }

    if (details.prompt.name === 'consent') {
      if (isFirstParty(client)) {
        const grantId = await grantRequested(provider, details);
        await finish(ctx, { consent: { grantId } }, true);
        return;
      }
      const account = details.session ? await deps.accounts.findById(details.session.accountId) : undefined;
      const scopes = String(details.params.scope ?? '').split(' ').filter(Boolean);
      const details2 = details.prompt.details as { missingOIDCClaims?: string[] };
      const lines = scopes
        .filter((scope) => ['openid', 'profile', 'email', 'phone', 'wecom', 'offline_access'].includes(scope))
        .map((scope) => t(`scope.${scope}` as Parameters<typeof t>[0]));
      if (details2.missingOIDCClaims?.length) lines.push(t('scope.claims', { claims: details2.missingOIDCClaims.join(', ') }));
      const logoUri = typeof client?.logoUri === 'string' ? client.logoUri : undefined;
      pages.send(
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
        { formTargets: redirectTarget(details), imageSources: logoUri ? [logoUri] : [] },
      );
      return;
    }

    showProblem(ctx, details, 'error.generic', 400);
  });

  router.post('/:uid/wecom/:connection', async (ctx) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (ctx.params.uid !== details.uid) throw new errors.SessionNotFound('interaction mismatch');
    const connection = connections.get(ctx.params.connection ?? '');
    if (!connection) {
      showProblem(ctx, details, 'error.unknown_connection', 404);
      return;
    }
    if (details.prompt.name !== 'login') {
      ctx.redirect(interactionPaths(deps.basePath, details.uid).root);
      ctx.status = 303;
      return;
    }
    const state = await issueLoginState(
      deps.loginStates,
      { interactionUid: details.uid, connection: connection.identifier, method: 'qr' },
      details.exp,
      now(),
    );
    const lang = langOf(ctx, details);
    ctx.status = 303;
    ctx.redirect(
      buildQrLoginUrl({
        qrLoginBase: deps.qrLoginBase,
        corpId: connection.corpId,
        agentId: connection.agentId,
        redirectUri: `${deps.issuer}${interactionPaths('', details.uid).callback(connection.identifier)}`,
        state,
        lang: lang === 'en' ? 'en' : 'zh',
      }),
    );
  });

  router.get('/:uid/wecom/:connection/callback', async (ctx) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const connectionId = ctx.params.connection ?? '';
    const connection = connections.get(connectionId);
    const check = await checkLoginState(deps.loginStates, ctx.query.state, {
      interactionUid: details.uid,
      connection: connectionId,
    });
    if (!check.ok) {
      log.warn('WeCom callback refused', { problem: check.problem, connection: connectionId });
      showProblem(ctx, details, `error.${check.problem}`, 400, connection?.identifier);
      return;
    }
    if (!connection) {
      showProblem(ctx, details, 'error.unknown_connection', 404);
      return;
    }
    const code = ctx.query.code;
    if (typeof code !== 'string' || !code) {
      showError(ctx, details, { kind: 'cancelled' }, connection.identifier);
      return;
    }
    const outcome = await completeWeComLogin(deps, connection, code);
    if (!outcome.ok) {
      log.info('WeCom sign-in refused', { connection: connection.identifier, reason: outcome.failure.kind });
      showError(ctx, details, outcome.failure, connection.identifier);
      return;
    }
    log.info('WeCom sign-in', { connection: connection.identifier, accountId: outcome.account.id });
    await finish(ctx, { login: { accountId: outcome.account.id, amr: ['wecom_qr'], remember: true } }, false);
  });

  router.post('/:uid/consent', async (ctx) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.prompt.name !== 'consent') {
      showProblem(ctx, details, 'error.generic', 400);
      return;
    }
    const grantId = await grantRequested(provider, details);
    await finish(ctx, { consent: { grantId } }, true);
  });

  router.post('/:uid/abort', async (ctx) => {
    await finish(ctx, { error: 'access_denied', error_description: 'End-User aborted interaction' }, false);
  });

  return router;
}
