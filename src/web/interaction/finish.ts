/** Hands an interaction result to oidc-provider and sends the browser on to resume the authorization. */
import type Provider from 'oidc-provider';
import type { Context } from 'koa';
import type { InteractionDeps, InteractionDetails } from './context.js';
import { rememberFinished } from './finished-attempts.js';

export type InteractionResult = Parameters<Provider['interactionResult']>[2];

export async function finishInteraction(
  deps: Pick<InteractionDeps, 'provider' | 'models' | 'now'>,
  ctx: Context,
  details: InteractionDetails,
  result: InteractionResult,
  mergeWithLastSubmission: boolean,
): Promise<void> {
  // Remembered first: a Back or reload that arrives once oidc-provider has forgotten the attempt
  // must find it.
  await rememberFinished(
    deps.models,
    details,
    { clientId: String(details.params.client_id), redirectUri: String(details.params.redirect_uri) },
    (deps.now ?? Date.now)(),
  );
  const returnTo = await deps.provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission });
  // 303, so that a POST (a consent form, say) continues as a GET.
  ctx.status = 303;
  ctx.redirect(returnTo);
}
