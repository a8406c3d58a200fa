/** POST /interaction/:uid/consent — the person allowed the app what it asked for. */
import type { Step } from '../attempt.js';
import { grantRequested } from '../consent.js';
import type { InteractionDeps } from '../context.js';

export function confirmConsent(deps: InteractionDeps): Step {
  return async function confirmConsent(attempt) {
    if (attempt.details.prompt.name !== 'consent') return attempt.fail({ kind: 'problem', key: 'error.generic', status: 400 });
    const grantId = await grantRequested(deps.provider, attempt.details);
    await attempt.finish({ consent: { grantId } }, true);
  };
}
