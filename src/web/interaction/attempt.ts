/**
 * One request's view of a sign-in attempt (an oidc-provider interaction). The router reads the
 * interaction's details once per request and hands every step an `Attempt`, which knows the
 * attempt's paths, the language its pages speak, how to show its error page and how to finish it:
 * steps take one value instead of threading (deps, ctx, details) through every call.
 */
import type { Context } from 'koa';
import type { Lang } from '../../model/index.js';
import { interactionPaths, langOf, pageLang, paramText, type InteractionDeps, type InteractionDetails, type InteractionPaths } from './context.js';
import { sendErrorPage, type ErrorCause, type ErrorLinks } from './error-page.js';
import { finishInteraction, type InteractionResult } from './finish.js';

export class Attempt {
  readonly paths: InteractionPaths;

  constructor(
    private readonly deps: InteractionDeps,
    readonly ctx: Context,
    readonly details: InteractionDetails,
  ) {
    this.paths = interactionPaths(deps.basePath, details.uid);
  }

  get uid(): string {
    return this.details.uid;
  }

  get clientId(): string {
    return String(this.details.params.client_id);
  }

  /** The app's redirect_uri: "back to the app" forms end there, so every page's CSP allows it. */
  get redirectUri(): string {
    return paramText(this.details.params.redirect_uri);
  }

  /** The app opened the sign-in in a popup window (OIDC `display=popup`). */
  get popup(): boolean {
    return this.details.params.display === 'popup';
  }

  /** A path parameter of this request (a connection identifier, say). */
  param(name: string): string {
    return (this.ctx.params as Record<string, string | undefined>)[name] ?? '';
  }

  lang(): Lang {
    return langOf(this.ctx, this.details);
  }

  /** The language fields every page of this attempt carries. */
  pageLang() {
    return pageLang(this.ctx, this.details, this.deps.basePath);
  }

  /** The attempt's error page for `cause`, with the ways on that fit it. */
  fail(cause: ErrorCause, links?: ErrorLinks): void {
    sendErrorPage(this.deps, this.ctx, this.details, cause, links);
  }

  /** Hands oidc-provider the result and sends the browser on to the app. */
  finish(result: InteractionResult, mergeWithLastSubmission: boolean): Promise<void> {
    return finishInteraction(this.deps, this.ctx, this.details, result, mergeWithLastSubmission);
  }

  /** 303, so that a POST continues as a GET. */
  seeOther(url: string): void {
    this.ctx.status = 303;
    this.ctx.redirect(url);
  }
}

/** What every step is: a handler of one request within an attempt. */
export type Step = (attempt: Attempt) => Promise<void>;

/** Koa middleware running `step` with the request's attempt (throws SessionNotFound for a lost one). */
export function withAttempt(deps: InteractionDeps, step: Step) {
  return async function attemptStep(ctx: Context): Promise<void> {
    const details = await deps.provider.interactionDetails(ctx.req, ctx.res);
    await step(new Attempt(deps, ctx, details));
  };
}
