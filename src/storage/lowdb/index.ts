/**
 * The embedded storage driver: one JSON file through lowdb, for a single process.
 * Two processes must not share one file (each would overwrite the other's changes); several
 * replicas need the PostgreSQL driver.
 */
import type {
  AccessTokenStore,
  KeyStore,
  LoginState,
  LoginStateOwner,
  LoginStateStore,
  Storage,
  StorageSharing,
  StoredAccessToken,
} from '../../model/index.js';
import { LowdbFile } from './database.js';
import { LowdbModelStore } from './model-store.js';
import { LowdbAccountStore } from './account-store.js';

/** One JSON file, owned by the one process that opened it. */
export const LOWDB_SHARING: StorageSharing = 'single-process';

/** How often expired records are swept out of the file, so it does not grow without bound. */
export const PRUNE_INTERVAL_MS = 10 * 60 * 1000;

export interface LowdbStorageOptions {
  path: string;
  now?: () => number;
  pruneIntervalMs?: number;
}

export interface LowdbStorage extends Storage {
  /** Removes expired records now and persists; returns how many were removed. */
  prune(): Promise<number>;
}

export async function openLowdbStorage(options: LowdbStorageOptions): Promise<LowdbStorage> {
  const now = options.now ?? Date.now;
  const file = await LowdbFile.open(options.path);
  const models = new LowdbModelStore(file, now);

  const loginStates: LoginStateStore = {
    async put(state: string, value: LoginState, expiresInSeconds: number) {
      file.set(['loginStates', state], { value, expiresAt: now() + expiresInSeconds * 1000 });
      await file.persist();
    },
    async peek(state: string) {
      const record = file.data.loginStates[state];
      return record && record.expiresAt > now() ? record.value : undefined;
    },
    async spend(state: string, value: LoginState, expiresInSeconds: number) {
      // Checked and set in one synchronous step: one process owns the file.
      const record = file.data.loginStates[state];
      if (record && record.expiresAt > now()) return false;
      file.set(['loginStates', state], { value, expiresAt: now() + expiresInSeconds * 1000 });
      await file.persist();
      return true;
    },
    async take(state: string, owner?: LoginStateOwner) {
      const record = file.data.loginStates[state];
      if (!record) return undefined;
      if (owner && (record.value.interactionUid !== owner.interactionUid || record.value.connection !== owner.connection)) return undefined;
      file.delete(['loginStates', state]);
      await file.persist();
      return record.expiresAt > now() ? record.value : undefined;
    },
  };

  const keyUpdates = new Map<string, Promise<unknown>>();
  const keys: KeyStore = {
    async getOrCreate<T>(name: string, create: () => Promise<T> | T): Promise<T> {
      if (name in file.data.keys) return file.data.keys[name] as T;
      const value = await create();
      // Another caller may have created it while `create` ran; the first one wins.
      if (!(name in file.data.keys)) {
        file.set(['keys', name], value);
        await file.persist();
      }
      return file.data.keys[name] as T;
    },
    async update<T>(name: string, change: (current: T | undefined) => T | Promise<T>): Promise<T> {
      // One process owns the file; updates of one name are chained so each sees the previous one.
      const run = (keyUpdates.get(name) ?? Promise.resolve()).then(async () => {
        const next = await change(file.data.keys[name] as T | undefined);
        file.set(['keys', name], next);
        await file.persist();
        return next;
      });
      keyUpdates.set(
        name,
        run.catch(() => undefined),
      );
      return run;
    },
  };

  const prune = async (): Promise<number> => {
    let removed = models.prune();
    for (const [state, record] of Object.entries(file.data.loginStates)) {
      if (record.expiresAt <= now()) {
        file.delete(['loginStates', state]);
        removed += 1;
      }
    }
    if (removed) await file.persist();
    return removed;
  };

  await prune();
  const timer = setInterval(() => {
    prune().catch((error: Error) => process.emitWarning(`lowdb prune failed: ${error.message}`));
  }, options.pruneIntervalMs ?? PRUNE_INTERVAL_MS);
  timer.unref();

  return {
    models,
    loginStates,
    accounts: new LowdbAccountStore(file),
    keys,
    accessTokens: memoryAccessTokens(),
    prune,
    unitOfWork: (work) => file.unitOfWork(work),
    async close() {
      clearInterval(timer);
      await file.close();
    },
  };
}

/**
 * WeCom access tokens live in memory, not in the file: one process owns a lowdb file, a restart
 * costs one `gettoken`, and a token on disk would be one more secret to protect. Refreshes of one
 * key are chained so that each runs alone, as a shared driver's lock would make them.
 */
function memoryAccessTokens(): AccessTokenStore {
  const entries = new Map<string, StoredAccessToken>();
  const locks = new Map<string, Promise<unknown>>();
  return {
    async read(key) {
      return entries.get(key);
    },
    async write(key, token) {
      entries.set(key, { ...token });
    },
    async remove(key, value) {
      if (entries.get(key)?.value === value) entries.delete(key);
    },
    withRefreshLock(key, refresh) {
      const run = (locks.get(key) ?? Promise.resolve()).then(() => refresh());
      const settled = run.catch(() => undefined);
      locks.set(key, settled);
      void settled.then(() => {
        if (locks.get(key) === settled) locks.delete(key);
      });
      return run;
    },
  };
}
