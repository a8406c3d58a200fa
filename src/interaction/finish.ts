/** Hands an interaction result to oidc-provider and sends the browser on to resume the authorization. */
import type Provider from 'oidc-provider';
import type { Context } from 'koa';

export type InteractionResult = Parameters<Provider['interactionResult']>[2];

export async function finishInteraction(
  deps: { provider: Provider },
  ctx: Context,
  result: InteractionResult,
  mergeWithLastSubmission: boolean,
): Promise<void> {
  const returnTo = await deps.provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission });
  // 303, so that a POST (a consent form, say) continues as a GET.
  ctx.status = 303;
  ctx.redirect(returnTo);
}
