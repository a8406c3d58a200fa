/**
 * Department ids → names, for the groups claim. Names change rarely and `department/get` counts
 * against WeCom's per-API limits, so answers are cached per (app, department) for an hour. Where
 * the app may not read a department (60011, outside its visible scope) or the department is gone
 * (60123), the id stands in for the name; that answer is cached too. A passing failure (WeCom busy
 * or unreachable) also falls back to the id, but is not cached, so the next sign-in tries again.
 */
import type { Logger } from '../../observability/log.js';
import type { WeComApp, WeComClient } from './client.js';
import { isWeComError } from './errors.js';

export const DEPARTMENT_NAME_TTL_MS = 60 * 60 * 1000;

export class DepartmentNames {
  readonly #cache = new Map<string, { name: string; expiresAt: number }>();

  constructor(
    private readonly client: Pick<WeComClient, 'getDepartment'>,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Names in the order of `ids`; never throws. */
  names(app: WeComApp, ids: readonly number[]): Promise<string[]> {
    return Promise.all(ids.map((id) => this.name(app, id)));
  }

  private async name(app: WeComApp, id: number): Promise<string> {
    // Per app, not per corp: each app has its own visible scope, so its own answer for a department.
    const key = `${app.corpId}/${app.agentId}/${id}`;
    const cached = this.#cache.get(key);
    if (cached && cached.expiresAt > this.now()) return cached.name;
    try {
      const department = await this.client.getDepartment(app, id);
      return this.remember(key, department.name || String(id));
    } catch (error) {
      // Outside the app's scope, or gone: this app will not get a name for this id (not "try later").
      if (isWeComError(error) && (error.means === 'out_of_scope' || error.means === 'department_not_found')) return this.remember(key, String(id));
      this.log.warn('department name unavailable for now; using its id', { department: id });
      return String(id);
    }
  }

  private remember(key: string, name: string): string {
    this.#cache.set(key, { name, expiresAt: this.now() + DEPARTMENT_NAME_TTL_MS });
    return name;
  }
}
