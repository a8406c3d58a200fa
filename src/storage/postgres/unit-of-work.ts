/**
 * One HTTP request's use of the database, so that it costs as few round trips as possible while
 * every answer stays as fresh as a direct read:
 *
 * - reads are remembered for the rest of the request (oidc-provider finds one Interaction up to
 *   three times in a request), and a read of a token also brings the records oidc-provider reads
 *   next (its Grant, its Session, its account: see model-store.ts), in the same statement;
 * - model upserts and destroys are held and sent together in one statement when the request's
 *   work is done, before the response is written (a sign-in's Grant, code and Session are one
 *   write, and one transaction, instead of three).
 *
 * Nothing outlives the request: a unit is a request's own view, never a cache shared between
 * requests or replicas, so nothing needs invalidating across processes. A write in the unit
 * forgets what it may have changed. Outside a unit (the admin CLI, background jobs) every call goes
 * straight to the database, as before.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Account, ModelPayload } from '../../model/index.js';

/** A held model write: the new record, or its deletion. */
export type HeldWrite = { payload: ModelPayload; /** Epoch ms; null: never expires. */ expiresAt: number | null } | { destroyed: true };

export type LookupColumn = 'id' | 'uid';

export class UnitOfWork {
  /** `${lookup}\0${model}\0${value}` → what the database held (null: no live record). */
  readonly records = new Map<string, ModelPayload | null>();
  readonly accounts = new Map<string, Account | null>();
  /** `${model}\0${id}` → the write to send; the last write of a record wins. */
  readonly held = new Map<string, HeldWrite>();
  /** False once the request's work is done: later writes go straight to the database. */
  open = true;
  #sending: Promise<void> = Promise.resolve();

  static recordKey(lookup: LookupColumn, model: string, value: string): string {
    return `${lookup}\u0000${model}\u0000${value}`;
  }

  /** Forgets every remembered record of `model` (after a write that may change any of them). */
  forgetModel(model: string): void {
    for (const key of this.records.keys()) if (key.split('\u0000')[1] === model) this.records.delete(key);
  }

  hasHeldWrites(model?: string): boolean {
    if (model === undefined) return this.held.size > 0;
    for (const key of this.held.keys()) if (key.startsWith(`${model}\u0000`)) return true;
    return false;
  }

  /**
   * Sends the held writes with `send` (one statement), one sending at a time. A caller that needs
   * the database to be up to date (a lookup the held writes could change) awaits this.
   */
  sendHeld(send: (writes: [string, HeldWrite][]) => Promise<void>): Promise<void> {
    const run = this.#sending.then(async () => {
      if (!this.held.size) return;
      const writes = [...this.held];
      this.held.clear();
      await send(writes);
    });
    this.#sending = run.catch(() => undefined);
    return run;
  }
}

/** Per storage instance, so that two stores in one process (tests, the bench) never share a unit. */
export class UnitsOfWork {
  readonly #storage = new AsyncLocalStorage<UnitOfWork>();

  /** The open unit of the request running now, if any. */
  current(): UnitOfWork | undefined {
    const unit = this.#storage.getStore();
    return unit?.open ? unit : undefined;
  }

  /**
   * Runs `work` as one unit, then sends what it held, also when `work` failed (a write that
   * oidc-provider made before an error is kept, as it would have been without the unit).
   */
  async run<T>(work: () => Promise<T>, sendHeld: (unit: UnitOfWork) => Promise<void>): Promise<T> {
    const unit = new UnitOfWork();
    let result: T;
    try {
      result = await this.#storage.run(unit, work);
    } catch (error) {
      unit.open = false;
      await sendHeld(unit).catch(() => undefined);
      throw error;
    }
    unit.open = false;
    await sendHeld(unit);
    return result;
  }
}
