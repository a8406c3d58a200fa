/**
 * Bounded pre-authentication state. Anyone may open `/auth`, and each such request stores an
 * Interaction that lives half an hour; each start of a WeCom login (which anyone can repeat within
 * one attempt) stores a login state. Unbounded, a flood of anonymous requests fills memory (lowdb
 * keeps everything in memory) and disk. So this process keeps at most `cap` of each: past the cap
 * the oldest is deleted, as oidc-provider's own memory adapter does at 1,000. A person whose
 * attempt was evicted sees "expired, start again".
 *
 * Oldest means least recently written: an interaction that moves on (login, consent) is written
 * again and goes to the back of the queue. The ids live in a Map (insertion order is the queue),
 * one short string each. With PostgreSQL each replica bounds what it created; rows left by a
 * restarted replica expire within the interaction lifetime and are pruned.
 */
import { PRE_AUTH_MODEL, type LoginState, type LoginStateOwner, type LoginStateStore, type ModelPayload, type ModelStore } from '../model/index.js';

/** Insertion-ordered set of ids; `add` moves an id to the back. Returns the ids to evict. */
class AgeQueue {
  readonly #ids = new Set<string>();
  constructor(private readonly cap: number) {}

  add(id: string): string[] {
    this.#ids.delete(id);
    this.#ids.add(id);
    const evicted: string[] = [];
    for (const oldest of this.#ids) {
      if (this.#ids.size <= this.cap) break;
      this.#ids.delete(oldest);
      evicted.push(oldest);
    }
    return evicted;
  }

  delete(id: string): void {
    this.#ids.delete(id);
  }

  get size(): number {
    return this.#ids.size;
  }
}

export class CappedModelStore implements ModelStore {
  readonly #queues = new Map<string, AgeQueue>();

  constructor(
    private readonly inner: ModelStore,
    cap: number,
  ) {
    this.#queues.set(PRE_AUTH_MODEL, new AgeQueue(cap));
  }

  /** How many records of `model` this process tracks (for tests and metrics). */
  tracked(model: string): number {
    return this.#queues.get(model)?.size ?? 0;
  }

  async upsert(model: string, id: string, payload: ModelPayload, expiresInSeconds?: number): Promise<void> {
    await this.inner.upsert(model, id, payload, expiresInSeconds);
    const evicted = this.#queues.get(model)?.add(id) ?? [];
    for (const old of evicted) await this.inner.destroy(model, old);
  }

  find(model: string, id: string) {
    return this.inner.find(model, id);
  }

  findByUid(model: string, uid: string) {
    return this.inner.findByUid(model, uid);
  }

  findByUserCode(model: string, userCode: string) {
    return this.inner.findByUserCode(model, userCode);
  }

  consume(model: string, id: string): Promise<boolean> {
    return this.inner.consume(model, id);
  }

  destroy(model: string, id: string): Promise<void> {
    this.#queues.get(model)?.delete(id);
    return this.inner.destroy(model, id);
  }

  revokeByGrantId(model: string, grantId: string) {
    return this.inner.revokeByGrantId(model, grantId);
  }

  revokeByAccountId(accountId: string) {
    return this.inner.revokeByAccountId(accountId);
  }

  sessionsOfAccount(accountId: string) {
    return this.inner.sessionsOfAccount(accountId);
  }
}

export class CappedLoginStateStore implements LoginStateStore {
  readonly #queue: AgeQueue;

  constructor(
    private readonly inner: LoginStateStore,
    cap: number,
  ) {
    this.#queue = new AgeQueue(cap);
  }

  get tracked(): number {
    return this.#queue.size;
  }

  async put(state: string, value: LoginState, expiresInSeconds: number): Promise<void> {
    await this.inner.put(state, value, expiresInSeconds);
    // Evicted states are taken, which deletes them: the same path a callback uses.
    for (const old of this.#queue.add(state)) await this.inner.take(old);
  }

  async spend(state: string, value: LoginState, expiresInSeconds: number): Promise<boolean> {
    const spent = await this.inner.spend(state, value, expiresInSeconds);
    if (spent) for (const old of this.#queue.add(state)) await this.inner.take(old);
    return spent;
  }

  async take(state: string, owner?: LoginStateOwner): Promise<LoginState | undefined> {
    const taken = await this.inner.take(state, owner);
    // Not taken because it is another attempt's: it stays, and so does its place in the queue.
    if (taken || !owner) this.#queue.delete(state);
    return taken;
  }

  peek(state: string): Promise<LoginState | undefined> {
    return this.inner.peek(state);
  }
}
