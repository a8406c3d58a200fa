/**
 * The /interaction routes that oidc-provider sends browsers to (devInteractions is off): one step
 * per route, each built once with its dependencies (steps/), each run with the request's attempt.
 *
 * Everything lives under /interaction/:uid, including the WeCom callback, because oidc-provider's
 * interaction cookie is scoped to that path: the callback then proves it is the same browser that
 * started the sign-in. Forms carry no data (everything is in the path) and the cookie is
 * SameSite=Lax, so a cross-site POST cannot act on someone's interaction.
 */
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { errors } from 'oidc-provider';
import { withAttempt } from './attempt.js';
import type { InteractionDeps } from './context.js';
import { sendErrorPage } from './error-page.js';
import { answerLostAttempt } from './lost-attempt.js';
import { abortAttempt } from './steps/abort.js';
import { createFromBinding } from './steps/bind-new.js';
import { startBindProof } from './steps/bind-proof.js';
import { confirmConsent } from './steps/consent.js';
import { showPrompt } from './steps/prompt.js';
import { startWeComLogin } from './steps/start-wecom.js';
import { handleWeComCallback } from './steps/wecom-callback.js';

export function interactionRouter(deps: InteractionDeps): Router {
  const router = new Router({ prefix: `${deps.basePath}/interaction` });
  const step = withAttempt.bind(undefined, deps);

  router.use(async function interactionErrors(ctx: Context, next: Next) {
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

  const prompt = step(showPrompt(deps));
  router.get('/:uid', prompt);
  router.post('/:uid', prompt);
  router.post('/:uid/wecom/:connection', step(startWeComLogin(deps)));
  router.get('/:uid/wecom/:connection/callback', step(handleWeComCallback(deps)));
  router.post('/:uid/bind/:connection', step(startBindProof(deps)));
  router.post('/:uid/bind-new', step(createFromBinding(deps)));
  router.post('/:uid/consent', step(confirmConsent(deps)));
  router.post('/:uid/abort', step(abortAttempt()));
  return router;
}
