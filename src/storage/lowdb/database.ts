/**
 * The lowdb file: its shape, opening it, and writing it safely without rewriting it per change.
 *
 * lowdb keeps the whole database in memory and writes it as one JSON file (via steno: a temporary
 * file renamed over the old one, so a crash leaves the old or the new file, never half of one).
 * Rewriting the whole file on every change would make each sign-in cost O(size of the database),
 * so changes go to a journal beside it instead: every change is a `set` or `delete` of one path,
 * appended as a JSON line; `persist()` resolves once the lines of every change made before it are
 * appended, so a request that returned success is on disk. Appends are coalesced (fifty sign-ins
 * finishing together cost a few appends, not fifty). When the journal has grown as large as the
 * snapshot, the snapshot is rewritten from memory and the journal emptied: amortised, each change
 * is written about twice. Opening replays the journal onto the snapshot; `set` and `delete` are
 * idempotent, so replaying lines the snapshot already contains is harmless, and a line cut short
 * by a crash is ignored.
 *
 * The journal stays open between appends (opening and closing it per append was a tenth of a
 * token request's CPU). Within a unit of work (one HTTP request, see `unitOfWork`), oidc-provider's
 * model writes are appended once, when the request's work is done and before its response is
 * written, instead of once per write: a sign-in's Grant, code and Session cost one append.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { chmod, mkdir, open, readFile, stat, truncate, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import type { Account, LoginState, ModelPayload } from '../../model/index.js';

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

export type DataPath = readonly string[];

/** A journal line: set a path to a value, or delete it. */
type Change = { s: DataPath; v: unknown } | { d: DataPath };

/**
 * Never compact a journal smaller than this, however small the snapshot. Small enough that an
 * anonymous flood (a snapshot held at a few MB by the pre-sign-in caps) keeps snapshot plus
 * journal under 10 MB; large enough that a small store is not rewritten on every few sign-ins.
 */
const MIN_COMPACTION_BYTES = 4 * 1024 * 1024;

function emptyDatabase(): DatabaseShape {
  return { version: 1, models: {}, loginStates: {}, accounts: {}, identities: {}, keys: {} };
}

export class LowdbFile {
  private pending: string[] = [];
  private inFlight: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private closed = false;
  private journalBytes = 0;
  private snapshotBytes = 0;
  private journal: FileHandle | undefined;
  /** The request running now, if it is in a unit of work: whether it has changes to append at its end. */
  private readonly units = new AsyncLocalStorage<{ open: boolean; dirty: boolean }>();

  private constructor(
    private readonly low: Low<DatabaseShape>,
    private readonly path: string,
    private readonly journalPath: string,
  ) {}

  static async open(path: string): Promise<LowdbFile> {
    // The files hold private signing keys: keep their directory private to this user.
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    // Compact JSON: indentation would double the snapshot's size.
    const adapter = new DataFile<DatabaseShape>(path, { parse: JSON.parse, stringify: (data) => JSON.stringify(data) });
    const low = new Low<DatabaseShape>(adapter, emptyDatabase());
    await low.read();
    low.data = { ...emptyDatabase(), ...low.data };
    const file = new LowdbFile(low, path, `${path}.journal`);
    await file.replayJournal();
    await file.compact();
    return file;
  }

  get data(): DatabaseShape {
    return this.low.data;
  }

  /** Sets `path` (creating the objects above it) and records the change for the next persist. */
  set(path: DataPath, value: unknown): void {
    setAt(this.data, path, value);
    this.pending.push(JSON.stringify({ s: path, v: value }));
  }

  /** Deletes `path` and records the change for the next persist. */
  delete(path: DataPath): void {
    deleteAt(this.data, path);
    this.pending.push(JSON.stringify({ d: path }));
  }

  /**
   * Resolves once every change recorded before this call is in the journal. At most one append
   * runs at a time and at most one more waits, carrying every change recorded until it starts.
   */
  persist(): Promise<void> {
    // A closed file must never be written again: a new instance may own the path by now.
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
    this.inFlight = this.flush().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /**
   * `persist()`, or inside a unit of work, at the unit's end: for writes whose durability only
   * matters once a response tells someone of them (oidc-provider's models).
   */
  persistWithUnit(): Promise<void> {
    const unit = this.units.getStore();
    if (!unit?.open) return this.persist();
    unit.dirty = true;
    return Promise.resolve();
  }

  /** Runs one request's work; what it changed through `persistWithUnit` is on disk when this resolves. */
  async unitOfWork<T>(work: () => Promise<T>): Promise<T> {
    const unit = { open: true, dirty: false };
    try {
      return await this.units.run(unit, work);
    } finally {
      unit.open = false;
      if (unit.dirty) await this.persist();
    }
  }

  /** Waits for the last write, writes a fresh snapshot, then refuses any further write. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.persist();
    await this.compact();
    this.closed = true;
    await this.journal?.close();
    this.journal = undefined;
  }

  private async flush(): Promise<void> {
    const lines = this.pending;
    this.pending = [];
    if (lines.length) {
      const text = `${lines.join('\n')}\n`;
      this.journal ??= await open(this.journalPath, 'a', 0o600);
      await this.journal.appendFile(text);
      this.journalBytes += Buffer.byteLength(text);
    }
    if (this.journalBytes > Math.max(MIN_COMPACTION_BYTES, this.snapshotBytes)) await this.compact();
  }

  /** Rewrites the snapshot from memory (all changes so far), then empties the journal. */
  private async compact(): Promise<void> {
    await this.low.write();
    // steno renames a fresh temporary file over the old one, which takes the default mode each
    // time; the file holds private keys, so it is made owner-only again.
    await chmod(this.path, 0o600);
    this.snapshotBytes = (await stat(this.path)).size;
    await ensureEmpty(this.journalPath);
    this.journalBytes = 0;
  }

  private async replayJournal(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.journalPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    applyJournal(this.data, text);
  }
}

/**
 * The database as the files hold it right now (snapshot with its journal replayed), read without
 * writing anything, while the process that owns the files may keep writing: for backups.
 *
 * The owner appends to the journal, and compaction renames a new snapshot over the old one and then
 * empties the journal. So: open the snapshot (pinning that file), read the journal, and check the
 * path still names the snapshot that was read. If it does, no compaction finished in between and
 * the journal read belongs to that snapshot (a compaction that had already renamed but not yet
 * emptied the journal only replays changes the new snapshot holds: idempotent). If it does not,
 * read again. A journal cut mid-append yields a prefix of the owner's changes, in order: a state
 * its memory really passed through.
 */
export async function readLowdbFiles(path: string): Promise<DatabaseShape> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    try {
      const pinned = await handle?.stat();
      const snapshot = handle ? (await handle.readFile('utf8')).trim() : '';
      const journal = await readFile(`${path}.journal`, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return '';
        throw error;
      });
      const current = await stat(path).catch(() => undefined);
      if (pinned?.ino !== current?.ino || pinned?.dev !== current?.dev) continue;
      const data: DatabaseShape = { ...emptyDatabase(), ...(snapshot ? (JSON.parse(snapshot) as Partial<DatabaseShape>) : {}) };
      applyJournal(data, journal);
      return data;
    } finally {
      await handle?.close();
    }
  }
  throw new Error(`${path} kept being rewritten while it was read; try again`);
}

function applyJournal(data: DatabaseShape, text: string): void {
  for (const line of text.split('\n')) {
    if (!line) continue;
    let change: Change;
    try {
      change = JSON.parse(line) as Change;
    } catch {
      continue; // the last line of a crash (or of an append still under way)
    }
    if ('s' in change) setAt(data, change.s, change.v);
    else deleteAt(data, change.d);
  }
}

async function ensureEmpty(path: string): Promise<void> {
  try {
    await truncate(path, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await (await open(path, 'a', 0o600)).close();
  }
}

function setAt(root: object, path: DataPath, value: unknown): void {
  let node = root as Record<string, unknown>;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function deleteAt(root: object, path: DataPath): void {
  let node = root as Record<string, unknown> | undefined;
  for (const key of path.slice(0, -1)) {
    node = node?.[key] as Record<string, unknown> | undefined;
    if (!node) return;
  }
  if (node) delete node[path[path.length - 1]!];
}
