/**
 * oidc-provider's models in the lowdb file, with in-memory indexes for the lookups the adapter
 * contract needs by something other than id (uid, userCode, grantId). Expired records are treated
 * as absent on read and removed by `prune()`.
 */
import type { ModelPayload, ModelStore } from '../../model/index.js';
import type { LowdbFile, StoredModel } from './database.js';

type Ref = `${string}\u0000${string}`;
const ref = (model: string, id: string): Ref => `${model}\u0000${id}`;

export class LowdbModelStore implements ModelStore {
  private readonly byUid = new Map<Ref, string>();
  private readonly byUserCode = new Map<Ref, string>();
  private readonly byGrantId = new Map<Ref, Set<string>>();
  /** accountId → records (Session, Grant, tokens) that belong to it. */
  private readonly byAccountId = new Map<string, Set<Ref>>();

  constructor(
    private readonly file: LowdbFile,
    private readonly now: () => number = Date.now,
  ) {
    for (const [model, records] of Object.entries(file.data.models)) {
      for (const [id, record] of Object.entries(records)) this.index(model, id, record.payload);
    }
  }

  async upsert(model: string, id: string, payload: ModelPayload, expiresInSeconds?: number): Promise<void> {
    const previous = this.file.data.models[model]?.[id];
    if (previous) this.unindex(model, id, previous.payload);
    const record: StoredModel = { payload };
    if (expiresInSeconds) record.expiresAt = this.now() + expiresInSeconds * 1000;
    this.file.set(['models', model, id], record);
    this.index(model, id, payload);
    await this.file.persistWithUnit();
  }

  async find(model: string, id: string): Promise<ModelPayload | undefined> {
    return this.live(model, id)?.payload;
  }

  async findByUid(model: string, uid: string): Promise<ModelPayload | undefined> {
    const id = this.byUid.get(ref(model, uid));
    return id === undefined ? undefined : this.find(model, id);
  }

  async findByUserCode(model: string, userCode: string): Promise<ModelPayload | undefined> {
    const id = this.byUserCode.get(ref(model, userCode));
    return id === undefined ? undefined : this.find(model, id);
  }

  async consume(model: string, id: string): Promise<boolean> {
    const record = this.live(model, id);
    if (!record || record.payload.consumed !== undefined) return false;
    record.payload.consumed = Math.floor(this.now() / 1000);
    this.file.set(['models', model, id], record);
    await this.file.persistWithUnit();
    return true;
  }

  async destroy(model: string, id: string): Promise<void> {
    if (this.remove(model, id)) await this.file.persistWithUnit();
  }

  async revokeByGrantId(model: string, grantId: string): Promise<void> {
    const ids = this.byGrantId.get(ref(model, grantId));
    if (!ids?.size) return;
    for (const id of [...ids]) this.remove(model, id);
    await this.file.persistWithUnit();
  }

  async revokeByAccountId(accountId: string): Promise<number> {
    const refs = this.byAccountId.get(accountId);
    if (!refs?.size) return 0;
    let removed = 0;
    for (const key of [...refs]) {
      const [model = '', id = ''] = key.split('\u0000');
      if (this.remove(model, id)) removed += 1;
    }
    await this.file.persistWithUnit();
    return removed;
  }

  async sessionsOfAccount(accountId: string): Promise<ModelPayload[]> {
    const sessions: ModelPayload[] = [];
    for (const key of this.byAccountId.get(accountId) ?? []) {
      const [model = '', id = ''] = key.split('\u0000');
      const payload = model === 'Session' ? this.live(model, id)?.payload : undefined;
      if (payload) sessions.push(payload);
    }
    return sessions;
  }

  /** Removes every expired record; returns how many went. The caller persists. */
  prune(): number {
    const now = this.now();
    let removed = 0;
    for (const [model, records] of Object.entries(this.file.data.models)) {
      for (const [id, record] of Object.entries(records)) {
        if (record.expiresAt !== undefined && record.expiresAt <= now && this.remove(model, id)) removed += 1;
      }
    }
    return removed;
  }

  private live(model: string, id: string): StoredModel | undefined {
    const record = this.file.data.models[model]?.[id];
    if (!record) return undefined;
    if (record.expiresAt !== undefined && record.expiresAt <= this.now()) return undefined;
    return record;
  }

  private remove(model: string, id: string): boolean {
    const records = this.file.data.models[model];
    const record = records?.[id];
    if (!records || !record) return false;
    this.unindex(model, id, record.payload);
    this.file.delete(['models', model, id]);
    return true;
  }

  private index(model: string, id: string, payload: ModelPayload): void {
    if (typeof payload.accountId === 'string') {
      let refs = this.byAccountId.get(payload.accountId);
      if (!refs) this.byAccountId.set(payload.accountId, (refs = new Set()));
      refs.add(ref(model, id));
    }
    if (payload.uid) this.byUid.set(ref(model, payload.uid), id);
    if (payload.userCode) this.byUserCode.set(ref(model, payload.userCode), id);
    if (payload.grantId) {
      const key = ref(model, payload.grantId);
      let ids = this.byGrantId.get(key);
      if (!ids) this.byGrantId.set(key, (ids = new Set()));
      ids.add(id);
    }
  }

  private unindex(model: string, id: string, payload: ModelPayload): void {
    if (typeof payload.accountId === 'string') {
      const refs = this.byAccountId.get(payload.accountId);
      refs?.delete(ref(model, id));
      if (refs && !refs.size) this.byAccountId.delete(payload.accountId);
    }
    if (payload.uid && this.byUid.get(ref(model, payload.uid)) === id) this.byUid.delete(ref(model, payload.uid));
    if (payload.userCode && this.byUserCode.get(ref(model, payload.userCode)) === id) {
      this.byUserCode.delete(ref(model, payload.userCode));
    }
    if (payload.grantId) {
      const key = ref(model, payload.grantId);
      const ids = this.byGrantId.get(key);
      ids?.delete(id);
      if (ids && !ids.size) this.byGrantId.delete(key);
    }
  }
}
