/**
 * Times every storage operation for the metrics, whichever driver is behind the interface.
 *
 * The stores are wrapped, not the drivers changed: each async method of each store is timed with its
 * name as the `operation` label, so a new method is timed without anyone remembering to. The
 * `withRefreshLock` of the access-token store is left alone: it runs a WeCom call inside, whose
 * time is not the store's.
 */
import type { Storage } from '../model/index.js';

export interface StorageTimer {
  storageOperation(store: string, operation: string, ok: boolean, seconds: number): void;
}

const STORES = ['models', 'loginStates', 'accounts', 'keys', 'accessTokens'] as const;
const UNTIMED = new Set(['withRefreshLock']);

export function timeStorage(storage: Storage, timer: StorageTimer): Storage {
  const timed = Object.fromEntries(STORES.map((name) => [name, timeStore(name, storage[name], timer)]));
  return { ...storage, ...timed };
}

function timeStore<T extends object>(store: string, target: T, timer: StorageTimer): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property);
      if (typeof value !== 'function' || typeof property !== 'string' || UNTIMED.has(property)) return value;
      let timedMethod = wrapped.get(property);
      if (!timedMethod) {
        timedMethod = async (...args: unknown[]) => {
          const started = process.hrtime.bigint();
          let ok = false;
          try {
            const result: unknown = await (value as (...a: unknown[]) => unknown).apply(object, args);
            ok = true;
            return result;
          } finally {
            timer.storageOperation(store, property, ok, Number(process.hrtime.bigint() - started) / 1e9);
          }
        };
        wrapped.set(property, timedMethod);
      }
      return timedMethod;
    },
  });
}
