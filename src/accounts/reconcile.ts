/**
 * The reconcile sweep: re-checks every member linked through a connection against WeCom, because
 * events can be lost (our endpoint down, WeCom giving up after its retries). It uses only `user/get`,
 * which a self-built app may always call for members in its visible scope; WeCom's listing APIs
 * (pages 90200/90201) need contact permissions such an app normally lacks.
 *
 * - Paced under WeCom's per-API limit (10,000 calls a minute per corp), leaving room for sign-ins.
 * - Resumable: the position is saved as it goes, so a sweep cut short (restart, crash) goes on from
 *   there next time instead of starting over.
 * - One sweeper at a time per connection, across replicas: a lease in the key store, which is
 *   atomic across processes on PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../observability/log.js';
import { identityKey, type AccountStore, type KeyStore } from '../model/index.js';
import type { CheckVerdict, LifecycleConnection, MemberLifecycle } from './lifecycle.js';

/** Our share of WeCom's 10,000 user/get calls a minute per corp. */
export const SWEEP_CALLS_PER_MINUTE = 3_000;
/** A sweeper that stops renewing its lease (crashed) is replaced after this. */
const LEASE_MS = 2 * 60_000;
/** Save the position (and renew the lease) this often. */
const CHECKPOINT_EVERY = 25;

export interface SweepCounts {
  checked: number;
  active: number;
  disabled: number;
  retired: number;
  /** Renames are learned from events only: user/get cannot tell a renamed member from a deleted one. */
  renamed: number;
  errors: number;
}

export type SweepResult =
  | ({ status: 'done'; connection: string; resumed: boolean } & SweepCounts)
  | { status: 'busy'; connection: string }
  | { status: 'stopped'; connection: string };

interface SweepRecord {
  owner?: string;
  leaseUntil?: number;
  /** identityKey of the last member checked in an unfinished sweep. */
  cursor?: string;
  counts?: SweepCounts;
}

export interface ReconcileDeps {
  accounts: AccountStore;
  keys: KeyStore;
  lifecycle: Pick<MemberLifecycle, 'recheck'>;
  log: Logger;
  callsPerMinute?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const emptyCounts = (): SweepCounts => ({ checked: 0, active: 0, disabled: 0, retired: 0, renamed: 0, errors: 0 });

export class ReconcileSweep {
  /** Who this process is, for the lease. */
  private readonly owner = randomBytes(8).toString('hex');
  /** Connections this process is sweeping now (the lease is per process, so it cannot tell). */
  private readonly running = new Set<string>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: ReconcileDeps) {
    this.now = deps.now ?? (() => Date.now());
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async run(
    connection: LifecycleConnection,
    options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
  ): Promise<SweepResult> {
    if (this.running.has(connection.identifier)) return { status: 'busy', connection: connection.identifier };
    this.running.add(connection.identifier);
    try {
      return await this.sweep(connection, options);
    } finally {
      this.running.delete(connection.identifier);
    }
  }

  private async sweep(
    connection: LifecycleConnection,
    options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
  ): Promise<SweepResult> {
    const name = `reconcile/${connection.identifier}`;
    const start = await this.deps.keys.update<SweepRecord>(name, (current) =>
      current?.owner && current.owner !== this.owner && (current.leaseUntil ?? 0) > this.now()
        ? current
        : { ...current, owner: this.owner, leaseUntil: this.now() + LEASE_MS },
    );
    if (start.owner !== this.owner) return { status: 'busy', connection: connection.identifier };

    const resumed = start.cursor !== undefined;
    const counts = resumed && start.counts ? { ...start.counts } : emptyCounts();
    const members = await this.membersOf(connection, start.cursor);
    const total = members.length + (resumed ? counts.checked : 0);
    const pause = 60_000 / (this.deps.callsPerMinute ?? SWEEP_CALLS_PER_MINUTE);
    /** Saves the position; a sweep that stops (or finishes) gives up its lease. */
    const checkpoint = (cursor: string | undefined, state: 'running' | 'stopped' | 'finished') =>
      this.deps.keys.update<SweepRecord>(name, (current) => ({
        ...current,
        owner: state === 'running' ? this.owner : undefined,
        leaseUntil: state === 'running' ? this.now() + LEASE_MS : 0,
        cursor: state === 'finished' ? undefined : cursor,
        counts: state === 'finished' ? undefined : { ...counts },
      }));

    for (const [index, member] of members.entries()) {
      if (options.signal?.aborted) {
        await checkpoint(index > 0 ? members[index - 1]!.key : start.cursor, 'stopped');
        return { status: 'stopped', connection: connection.identifier };
      }
      count(counts, await this.check(connection, member.userid));
      options.onProgress?.(counts.checked, total);
      if ((index + 1) % CHECKPOINT_EVERY === 0) await checkpoint(member.key, 'running');
      await this.sleep(pause);
    }
    await checkpoint(undefined, 'finished');
    const result = { status: 'done' as const, connection: connection.identifier, resumed, ...counts };
    this.deps.log.info('reconcile sweep finished', { ...result });
    return result;
  }

  private async check(connection: LifecycleConnection, userid: string): Promise<CheckVerdict | 'error'> {
    try {
      return await this.deps.lifecycle.recheck(connection, userid, 'reconcile');
    } catch (error) {
      this.deps.log.error('reconcile could not check a member', { connection: connection.identifier, message: (error as Error).message });
      return 'error';
    }
  }

  /** Linked members of this connection, in a stable order, after `cursor`. */
  private async membersOf(connection: LifecycleConnection, cursor: string | undefined): Promise<{ key: string; userid: string }[]> {
    const members = (await this.deps.accounts.list())
      .filter((account) => !account.disabled)
      .flatMap((account) => account.identities)
      .filter((identity) => identity.connection === connection.identifier && identity.corpId === connection.corpId)
      .map((identity) => ({ key: identityKey(identity.corpId, identity.userid), userid: identity.userid }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return cursor === undefined ? members : members.filter((member) => member.key > cursor);
  }
}

function count(counts: SweepCounts, verdict: CheckVerdict | 'error'): void {
  counts.checked += 1;
  if (verdict === 'active') counts.active += 1;
  else if (verdict === 'disabled') counts.disabled += 1;
  else if (verdict === 'retired') counts.retired += 1;
  else if (verdict === 'unknown' || verdict === 'error') counts.errors += 1;
}

/** Runs the sweep of each connection every `reconcileIntervalMinutes` (0: never). */
export function scheduleReconcile(
  sweep: ReconcileSweep,
  connections: readonly (LifecycleConnection & { reconcileIntervalMinutes: number })[],
  log: Logger,
): { stop(): void } {
  const controller = new AbortController();
  const timers = connections
    .filter((connection) => connection.reconcileIntervalMinutes > 0)
    .map((connection) => {
      const timer = setInterval(() => {
        sweep
          .run(connection, { signal: controller.signal })
          .catch((error: Error) => log.error('reconcile sweep failed', { connection: connection.identifier, message: error.message }));
      }, connection.reconcileIntervalMinutes * 60_000);
      timer.unref();
      return timer;
    });
  return {
    stop() {
      controller.abort();
      for (const timer of timers) clearInterval(timer);
    },
  };
}
