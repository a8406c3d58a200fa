/**
 * The lowdb file: its shape, opening it, and writing it safely.
 *
 * lowdb keeps the whole database in memory and rewrites the file on write (via steno: a temporary
 * file renamed over the old one, so a crash leaves either the old or the new file, never half of
 * one). Mutations happen in memory synchronously, then `persist()` is awaited before the caller
 * answers: a request that returned success is on disk. Writes are coalesced, so fifty logins
 * finishing together cost two or three file writes, not fifty, and none of their changes is lost.
 */
import { mkdir, chmod } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import type { Account, LoginState, ModelPayload } from '../types.js';

export interface StoredModel {
  payload: ModelPayload;
  /** Epoch milliseconds; absent means it never expires. */
  expiresAt?: number;
}

export interface DatabaseShape {
  version: 1;
  /** oidc-provider models: model name → id → record. */
  models: Record<string, Record<string, StoredModel>>;
  loginStates: Record<string, { value: LoginState; expiresAt: number }>;
  accounts: Record<string, Account>;
  /** identityKey(corpId, userid) → account id. */
  identities: Record<string, string>;
  keys: Record<string, unknown>;
}

function emptyDatabase(): DatabaseShape {
  return { version: 1, models: {}, loginStates: {}, accounts: {}, identities: {}, keys: {} };
}

export class LowdbFile {
  private inFlight: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private closed = false;

  private constructor(
    private readonly low: Low<DatabaseShape>,
    private readonly path: string,
  ) {}

  static async open(path: string): Promise<LowdbFile> {
    // The file holds private signing keys: keep its directory private to this user.
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    // Compact JSON: the file is rewritten on every persist, and indentation doubles its size.
    const adapter = new DataFile<DatabaseShape>(path, { parse: JSON.parse, stringify: (data) => JSON.stringify(data) });
    const low = new Low<DatabaseShape>(adapter, emptyDatabase());
    await low.read();
    low.data = { ...emptyDatabase(), ...low.data };
    const file = new LowdbFile(low, path);
    await file.persist();
    return file;
  }

  get data(): DatabaseShape {
    return this.low.data;
  }

  /**
   * Resolves once a write that began after this call has finished, so every change made before
   * the call is on disk. At most one write runs at a time and at most one more waits.
   */
  persist(): Promise<void> {
    // A closed file must never be written again: a new instance may own the path by now, and two
    // writers renaming the same temporary file over each other lose data.
    if (this.closed) return Promise.reject(new Error('the lowdb storage is closed'));
    if (this.queued) return this.queued;
    if (this.inFlight) {
      this.queued = this.inFlight
        .catch(() => undefined)
        .then(() => {
          this.queued = undefined;
          return this.persist();
        });
      return this.queued;
    }
    this.inFlight = this.low
      .write()
      // steno renames a fresh temporary file over the old one, which takes the default mode each
      // time; the file holds private keys, so it is made owner-only again after every write.
      .then(() => chmod(this.path, 0o600))
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  /** Waits for the last write, then refuses any further one. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.persist();
    this.closed = true;
  }
}
