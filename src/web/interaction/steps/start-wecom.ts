/** POST /interaction/:uid/wecom/:connection — send the browser to WeCom with a fresh state. */
import type { Step } from '../attempt.js';
import type { InteractionDeps } from '../context.js';
import { offeredConnection } from '../offered.js';
import { redirectToWeCom } from '../wecom-redirect.js';

export function startWeComLogin(deps: InteractionDeps): Step {
  return async function startWeComLogin(attempt) {
    const connection = await offeredConnection(deps, attempt.details, attempt.param('connection'));
    if (!connection) return attempt.fail({ kind: 'problem', key: 'error.connection_not_offered', status: 404 });
    // Already signed in (e.g. a second tab): show whatever this attempt needs now.
    if (attempt.details.prompt.name !== 'login') return attempt.seeOther(attempt.paths.root);
    await redirectToWeCom(deps, attempt, connection);
  };
}
