/**
 * POST /interaction/:uid/abort — "Cancel", "Deny" and "back to the app". Error pages name how the
 * attempt ended in the form's URL (`?outcome=`), so the app hears which way it was (outcomes.ts).
 */
import type { Step } from '../attempt.js';
import { abortResult } from '../outcomes.js';

export function abortAttempt(): Step {
  return async function abortAttempt(attempt) {
    await attempt.finish(abortResult(attempt.ctx.query.outcome), false);
  };
}
