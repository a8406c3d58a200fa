/**
 * Builds the member lifecycle and the reconcile sweep over one WeCom client, the same way in the
 * server and in the admin CLI working on shared storage, so both re-check members alike.
 */
import type { Logger } from '../observability/log.js';
import type { Storage } from '../model/index.js';
import { readMemberStanding, type ConnectionRegistry, type DepartmentNames, type WeComClient } from '../wecom/index.js';
import { MemberLifecycle, type AccessRevoker } from './lifecycle.js';
import { ReconcileSweep, type SweepResult } from './reconcile.js';

export interface MemberChecks {
  lifecycle: MemberLifecycle;
  sweep: ReconcileSweep;
  /** The sweep of one connection by identifier (the admin CLI's `accounts sync`). */
  reconcile: (identifier: string, onProgress?: (done: number, total: number) => void) => Promise<SweepResult>;
}

export function createMemberChecks(deps: {
  storage: Pick<Storage, 'accounts' | 'keys'>;
  wecom: WeComClient;
  departmentNames: DepartmentNames;
  connections: ConnectionRegistry;
  revoker: AccessRevoker;
  log: Logger;
}): MemberChecks {
  const lifecycle = new MemberLifecycle({
    accounts: deps.storage.accounts,
    revoker: deps.revoker,
    readStanding: (app, userid) => readMemberStanding(deps.wecom, app, userid),
    groupNames: (app, ids) => deps.departmentNames.names(app, ids),
    connection: (identifier) => deps.connections.get(identifier),
    log: deps.log.child({ component: 'lifecycle' }),
  });
  const sweep = new ReconcileSweep({
    accounts: deps.storage.accounts,
    keys: deps.storage.keys,
    lifecycle,
    log: deps.log.child({ component: 'reconcile' }),
  });
  return {
    lifecycle,
    sweep,
    reconcile: (identifier, onProgress) => sweep.run(deps.connections.get(identifier)!, { onProgress }),
  };
}
