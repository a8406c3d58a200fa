/**
 * Vacuums the tables whose rows come and go by the thousand: the Interactions' partition (one
 * per visit to /auth, most deleted within minutes) and the WeCom login states. A deleted row's
 * space is reused only after VACUUM, and autovacuum looks at a table at most once a minute (and
 * not at all where it is switched off), so a flood of anonymous visits would otherwise grow these
 * tables by its rate times that minute, about a megabyte per thousand visits. Vacuuming them every
 * `every` writes keeps each near its live rows plus that many. Both tables are small (their rows
 * are capped), so each VACUUM takes milliseconds; it never runs twice at once for one table in
 * this process, and SKIP_LOCKED leaves a table another replica is vacuuming alone. TRUNCATE false:
 * giving the emptied tail of the table back to the file system needs an exclusive lock, which
 * VACUUM tries to take for up to five seconds while the flood's writers keep it busy; meanwhile its
 * snapshot keeps every row deleted since from the next vacuum (in a test, 2.7 MiB left of 16,000
 * visits against 0.4 MiB without the attempt). The space stays the table's, to be reused.
 */
import type { Pool } from 'pg';

/** Writes (inserts, updates, deletes) between two vacuums of one table. */
export const VACUUM_EVERY_WRITES = 2_000;

export class ChurnVacuum {
  readonly #writes = new Map<string, number>();
  readonly #running = new Map<string, Promise<void>>();

  constructor(
    private readonly pool: Pool,
    private readonly every = VACUUM_EVERY_WRITES,
  ) {}

  /** Counts `count` writes to `table` (a qualified name), and starts a vacuum when they add up. */
  wrote(table: string, count = 1): void {
    const writes = (this.#writes.get(table) ?? 0) + count;
    if (writes < this.every || this.#running.has(table)) {
      this.#writes.set(table, writes);
      return;
    }
    this.#writes.set(table, 0);
    const run = this.pool
      .query(`VACUUM (SKIP_LOCKED, TRUNCATE false) ${table}`)
      .then(
        () => undefined,
        (error: Error) => process.emitWarning(`PostgreSQL vacuum of ${table} failed: ${error.message}`),
      )
      .finally(() => this.#running.delete(table));
    this.#running.set(table, run);
  }

  /** Waits for the vacuums under way (before the pool closes). */
  async settled(): Promise<void> {
    await Promise.all(this.#running.values());
  }
}
