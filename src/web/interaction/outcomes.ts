/**
 * What the app hears when the person leaves a sign-in with "back to the app" (or "cancel"). Every
 * way out is `access_denied` (RFC 6749 4.1.2.1: the person did not grant access), but the
 * description tells the app which way it was, so it can say "you were refused" instead of "you
 * cancelled". Descriptions are fixed ASCII sentences: no names, no userids, no WeCom errcodes.
 *
 * The page that offers the button names its outcome in the form's URL (`?outcome=refused`); the
 * value is only looked up in this table, so a tampered one can at most pick another fixed sentence.
 */
import type { ErrorCause } from './error-page.js';

export const ABORT_OUTCOMES = {
  cancelled: 'End-User aborted interaction',
  refused: 'The sign-in was refused: this user is not allowed to sign in to this application',
  failed: 'The sign-in could not be completed',
  unavailable: 'The sign-in could not be completed: WeCom did not answer in time',
  misconfigured: 'The sign-in could not be completed: sign-in with WeCom is misconfigured',
} as const;

export type AbortOutcome = keyof typeof ABORT_OUTCOMES;

/** The sign-in was decided against this person: they are known, and may not sign in. */
const REFUSALS = new Set<ErrorCause['kind']>([
  'non_member',
  'member_inactive',
  'out_of_scope',
  'member_not_found',
  'account_disabled',
  'not_provisioned',
  'ambiguous_match',
]);

export function outcomeOf(cause: ErrorCause): AbortOutcome {
  if (cause.kind === 'cancelled') return 'cancelled';
  if (REFUSALS.has(cause.kind)) return 'refused';
  if (cause.kind === 'wecom_unavailable') return 'unavailable';
  if (cause.kind === 'wecom_configuration') return 'misconfigured';
  return 'failed';
}

/** The result to hand oidc-provider for `?outcome=…` (anything unknown reads as a cancel). */
export function abortResult(outcome: unknown): { error: 'access_denied'; error_description: string } {
  const known = typeof outcome === 'string' && Object.hasOwn(ABORT_OUTCOMES, outcome) ? (outcome as AbortOutcome) : 'cancelled';
  return { error: 'access_denied', error_description: ABORT_OUTCOMES[known] };
}
