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
import type { InteractionDeps } from './context.js';
import { grantRequested } from './consent.js';
import { sendErrorPage } from './error-page.js';
import { finishInteraction } from './finish.js';
import { answerLostAttempt } from './lost-attempt.js';
import { abortResult } from './outcomes.js';
import { showPrompt } from './prompt-page.js';
import { createFromBinding, startBindProof } from './bind-routes.js';
import { handleWeComCallback, startWeComLogin } from './wecom-routes.js';

export function interactionRouter(deps: InteractionDeps): Router {
  const router = new Router({ prefix: `${deps.basePath}/interaction` });

  router.use(async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (error) {
      // An attempt that is gone (expired, finished, or never this browser's) gets a page, not a trace.
      if (error instanceof errors.SessionNotFound) return answerLostAttempt(deps, ctx);
      deps.log.error('interaction failed', {
        path: ctx.path,
        error: error instanceof Error ? error.name : 'unknown',
        message: error instanceof Error ? error.message : undefined,
      });
      sendErrorPage(deps, ctx, undefined, { kind: 'problem', key: 'error.generic', status: 500 });
    }
  });

  router.get('/:uid', (ctx) => showPrompt(deps, ctx));
  // "Choose again" buttons on error pages are forms, so the prompt page answers POST too.
  router.post('/:uid', (ctx) => showPrompt(deps, ctx));
  router.post('/:uid/wecom/:connection', (ctx) => startWeComLogin(deps, ctx));
  router.get('/:uid/wecom/:connection/callback', (ctx) => handleWeComCallback(deps, ctx));
  router.post('/:uid/bind/:connection', (ctx) => startBindProof(deps, ctx));
  router.post('/:uid/bind-new', (ctx) => createFromBinding(deps, ctx));

  router.post('/:uid/consent', async (ctx) => {
    const details = await deps.provider.interactionDetails(ctx.req, ctx.res);
    if (details.prompt.name !== 'consent') {
      return sendErrorPage(deps, ctx, details, { kind: 'problem', key: 'error.generic', status: 400 });
    }
    const grantId = await grantRequested(deps.provider, details);
    await finishInteraction(deps, ctx, details, { consent: { grantId } }, true);
  });

  // "Cancel", "Deny" and "back to the app"; error pages name how the attempt ended (outcomes.ts).
  router.post('/:uid/abort', async (ctx) => {
    const details = await deps.provider.interactionDetails(ctx.req, ctx.res);
    await finishInteraction(deps, ctx, details, abortResult(ctx.query.outcome), false);
  });

  return router;
}
